"""The runtime every training run needs, whatever the lab.

`strategy` (devices, precision, XLA, determinism and their flags),
`checkpoint` (epoch checkpoints and resume), `callbacks` (per-epoch
figures, TensorBoard), `runfolder` (the run folder, written atomically),
`figures` (the pictures a run leaves) and `lab` (what every lab script
shares: its parser, its runtime, its one-line errors).
"""
