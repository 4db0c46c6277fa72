"""Generation engines: the interfaces and registry live in base.py; local_* modules are the offline engines."""
