"""tf.data pipelines: toy distributions and images (float32 NHWC in [-1, 1])."""
from ganlab.data.toy import (
    gaussian_1d,
    mixture_2d,
    ring_of_gaussians,
    grid_of_gaussians,
    toy_dataset,
)
