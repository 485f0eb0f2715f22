"""The Laplacian pyramid of LAPGAN (Denton et al. 2015, Sec. 3.1): pure, exact functions.

With d(.) a downsampling by 2 and u(.) an upsampling by 2, an image I = I_K
has the Gaussian pyramid I_{k-1} = d(I_k), k = K .. 1, and the Laplacian
pyramid of band-pass residuals

    h_k = I_k - u(I_{k-1}),   k = 1 .. K,          (Denton 2015, Eq. 3)

plus the coarsest image I_0. Reconstruction runs coarse to fine,

    I_k = u(I_{k-1}) + h_k,                          (Denton 2015, Eq. 4)

and gives the image back exactly whatever d and u are (up to float
rounding): the residual stores precisely what u(d(.)) lost. Here d is the
2x2 box average (a blur and decimation in one) and u is bilinear
interpolation (half-pixel centres: the separable kernel [1/4, 3/4, 3/4, 1/4]),
so u(I_{k-1}) is the smooth low-pass image l_k a LAPGAN level is
conditioned on, and h_k holds the detail above the coarser level's Nyquist
frequency.

The functions take NHWC tensors or numpy arrays of any float dtype and
return tensors; sides must be even (divisible by 2**levels for a pyramid).
"""

import numpy as np
from keras import ops


def _side(images, factor, arg="images"):
    shape = tuple(images.shape)
    if len(shape) != 4 or shape[1] is None or shape[2] is None \
            or shape[1] % factor or shape[2] % factor:
        raise ValueError(
            f"`{arg}` must be NHWC images whose height and width are divisible by {factor}. "
            f"Received: {arg} with shape {shape}"
        )
    return shape[1], shape[2]


def downsample(images):
    """d(I): the 2x2 box average, (n, H, W, c) -> (n, H/2, W/2, c).

    Example:
        >>> downsample(np.ones((1, 4, 4, 1), "float32")).shape
        TensorShape([1, 2, 2, 1])
    """
    _side(images, 2)
    return ops.average_pool(ops.convert_to_tensor(images), 2, 2, padding="valid")


def upsample(images):
    """u(I): bilinear upsampling by 2, (n, H, W, c) -> (n, 2H, 2W, c)."""
    h, w = _side(images, 1)
    return ops.image.resize(ops.convert_to_tensor(images), (2 * h, 2 * w),
                            interpolation="bilinear", antialias=False)


def residual(images):
    """h = I - u(d(I)): the band-pass residual of one level (Eq. 3)."""
    images = ops.convert_to_tensor(images)
    return images - upsample(downsample(images))


def laplacian_pyramid(images, levels):
    """Decompose images into the coarsest image I_0 and residuals h_1 .. h_K (Eq. 3).

    Args:
        images: NHWC images; height and width divisible by 2**levels.
        levels: K >= 1, the number of residual bands.

    Returns:
        (coarse, residuals): coarse is I_0 (side / 2**K), residuals the list
        [h_1, ..., h_K], h_k of side / 2**(K - k) (finest last).

    Raises:
        ValueError: for levels < 1 or a side not divisible by 2**levels.
    """
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 1:
        raise ValueError(f"`levels` must be an integer >= 1. Received: levels={levels!r}")
    _side(images, 2 ** int(levels))
    current = ops.convert_to_tensor(images)
    bands = []
    for _ in range(int(levels)):
        coarser = downsample(current)
        bands.append(current - upsample(coarser))
        current = coarser
    return current, bands[::-1]


def reconstruct(coarse, residuals):
    """I_K from I_0 and h_1 .. h_K: I_k = u(I_{k-1}) + h_k (Eq. 4), coarse to fine.

    Args:
        coarse: I_0, NHWC.
        residuals: [h_1, ..., h_K], each twice the side of the previous level.

    Returns:
        The finest image I_K.

    Raises:
        ValueError: when a residual's shape is not twice its coarser image's.
    """
    current = ops.convert_to_tensor(coarse)
    for k, h in enumerate(residuals, start=1):
        up = upsample(current)
        if tuple(up.shape[1:]) != tuple(h.shape[1:]):
            raise ValueError(
                f"residual h_{k} must have the shape of the upsampled level below, "
                f"{tuple(up.shape[1:])}. Received: residuals[{k - 1}] with shape "
                f"{tuple(h.shape)}"
            )
        current = up + ops.convert_to_tensor(h)
    return current
