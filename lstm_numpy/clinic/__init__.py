"""The bug clinic: the mistakes people make in a hand-written BPTT, planted one at a time.

``catalogue`` lists the mistakes (each a wrong line, the right line it replaces, and the
equation it breaks); ``planting`` writes one into a copy of its module at run time, never into
the library; ``examine`` runs the clinic's configuration with the true code and with the copy
and shows what a learner would see: the gradient checks, and the first quantity where the
planted traces part from the true ones. ``python -m lstm_numpy clinic`` is the command line;
docs/clinic.md explains each mistake.
"""
from .catalogue import MISTAKES, Mistake, get
from .examine import CONFIG, Diagnosis, examine
from .planting import PlantingError, planted

__all__ = ["MISTAKES", "Mistake", "get", "CONFIG", "Diagnosis", "examine", "PlantingError", "planted"]
