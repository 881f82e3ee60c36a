"""What runs before training besides the core: the params check, reading and preparing the raw data, its statistics."""
