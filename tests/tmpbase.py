"""tmpbase.py - safe_tmpdir() for the Python test scripts (bench.py,
corpus.py): a new directory under tests/tmpbase.sh's safe base, since
mail2note refuses a config in a directory others can write, such as /tmp."""
import os
import subprocess
import tempfile

TOP = os.environ.get("M2N_TOP") or os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))


def safe_tmpdir(prefix):
    """A new directory (mkdtemp) under the safe base."""
    base = subprocess.run(["sh", os.path.join(TOP, "tests", "tmpbase.sh")],
                          env=dict(os.environ, M2N_TOP=TOP),
                          stdout=subprocess.PIPE, check=True,
                          universal_newlines=True).stdout.strip()
    return tempfile.mkdtemp(prefix=prefix, dir=base)
