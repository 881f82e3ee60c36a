"""Make TensorFlow (and TFDS) unimportable, as on a machine without them.

Python imports this file at start-up when its folder is on PYTHONPATH.
"""

import sys
from importlib.abc import MetaPathFinder

BLOCKED = ("tensorflow", "tensorflow_datasets", "tf_keras")


class _NoTensorFlow(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by tests/no_tensorflow)", name=name)
        return None


sys.meta_path.insert(0, _NoTensorFlow())
