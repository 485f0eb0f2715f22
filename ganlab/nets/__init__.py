"""Architectures: functions that build a keras.Model."""
from ganlab.nets.layers import MinibatchDiscrimination, MinibatchStddev
from ganlab.nets.mlp import mlp_discriminator, mlp_generator
