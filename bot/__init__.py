"""Samu numérique: the chat bot of a mutual-help network of digital-inclusion professionals."""
