"""The records and enums the layers share: plain, immutable data, no behaviour of storage.

The core reasons about them and storage hands them out; neither owns the other, so they sit
below both (like `skills/`), import nothing of ours but `skills`, and no library.
"""
