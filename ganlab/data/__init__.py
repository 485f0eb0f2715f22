"""tf.data pipelines: toy distributions and images (float32 NHWC in [-1, 1])."""
from ganlab.data.images import (
    DEFAULT_IMAGE_SIZE,
    EMBEDDED_DATASETS,
    available_datasets,
    has_labels,
    load_image_arrays,
    load_images,
    load_photo_sources,
    num_classes,
    render_digit,
)
from ganlab.data.tfds import TFDS_DATASETS, DatasetUnavailableError
from ganlab.data.toy import (
    gaussian_1d,
    grid_of_gaussians,
    mixture_2d,
    ring_of_gaussians,
    toy_dataset,
)
