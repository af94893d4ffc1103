"""Use-cases: plain async functions over a unit of work. No chat library, no transport."""
