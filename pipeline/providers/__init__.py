"""Real generation providers: the model catalog, prices, and the SDK plumbing the provider engines share.

Nothing here imports openai, replicate, torch or diffusers at module import time.
"""
