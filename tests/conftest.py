import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import LoopbackServer


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running
