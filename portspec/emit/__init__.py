"""Values written back out: docker arguments, Engine API JSON, docker SDK keyword arguments."""
