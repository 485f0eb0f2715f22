"""The runtime every training run needs, whatever the lab.

`strategy` (devices, precision, XLA, determinism and their flags),
`checkpoint` (epoch checkpoints and resume), `callbacks` (per-epoch
figures, TensorBoard), `runfolder` (the run folder, written atomically),
`figures` (the pictures a run leaves), `progress` (what a student sees
while a model trains) and `lab` (what every lab script shares: its parser
with --resume and --quiet, its runtime, its run folder, its one-line errors).
"""
