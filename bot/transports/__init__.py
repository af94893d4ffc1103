"""Platform adapters: they translate platform events to `Incoming` and `Outgoing` to calls."""
