"""Local model folders: the registry of what is on disk, the memory planner, and the cache of loaded pipelines."""
