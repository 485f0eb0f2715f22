"""Image-to-image figures on arrays: L1, PSNR, SSIM and a sharpness ratio.

Images are float32 NHWC in [-1, 1]. PSNR and SSIM are TensorFlow's
(`tf.image.psnr`, `tf.image.ssim`), computed on the images mapped to
[0, 1] with a dynamic range of 1: SSIM's luminance term assumes intensities
>= 0 (on [-1, 1] an image and its negative score about +0.6). Figures over
a set are the means of the per-image figures.
"""

import numpy as np
import tensorflow as tf

PSNR_CAP = 99.0
"""PSNR of identical images (infinite) is reported as this many dB."""


def _check(output, target):
    output = np.asarray(output, np.float32)
    target = np.asarray(target, np.float32)
    if output.ndim != 4 or output.shape != target.shape:
        raise ValueError(
            "output and target must be image batches (n, H, W, C) of the same shape. "
            f"Received: output.shape={output.shape}, target.shape={target.shape}"
        )
    return output, target


def psnr(output, target):
    """Per-image peak signal-to-noise ratio in dB.

    PSNR = 10 log10(1 / MSE) of the images mapped to [0, 1] (the same as
    10 log10(2**2 / MSE) on [-1, 1]), capped at `PSNR_CAP` for identical images.

    Example:

    >>> round(float(psnr(np.zeros((1, 4, 4, 1)), np.full((1, 4, 4, 1), 0.2))[0]), 2)
    20.0
    """
    output, target = _check(output, target)
    values = tf.image.psnr((output + 1) / 2, (target + 1) / 2, max_val=1.0).numpy()
    return np.minimum(np.nan_to_num(values, posinf=PSNR_CAP), PSNR_CAP)


def ssim(output, target):
    """Per-image structural similarity (Wang 2004), `tf.image.ssim`, on [0, 1].

    The Gaussian window is 11 pixels (TensorFlow's default), or the image's
    side when smaller.
    """
    output, target = _check(output, target)
    size = min(11, output.shape[1], output.shape[2])
    return tf.image.ssim((output + 1) / 2, (target + 1) / 2, max_val=1.0,
                         filter_size=size).numpy()


def gradient_energy(images):
    """Per-image mean of the squared finite differences, horizontal plus vertical.

    High for sharp images; blur lowers it.
    """
    images = np.asarray(images, np.float32)
    dy = np.diff(images, axis=1)
    dx = np.diff(images, axis=2)
    return (dy**2).mean(axis=(1, 2, 3)) + (dx**2).mean(axis=(1, 2, 3))


def sharpness(output, target):
    """The gradient energy of a set of outputs relative to their targets'.

    sharpness = sum_i E(output_i) / sum_i E(target_i): 1 is as sharp as the
    targets, below 1 blurrier (an L1- or L2-trained translation, which
    averages the plausible outputs), above 1 noisier.
    """
    output, target = _check(output, target)
    return float(gradient_energy(output).sum() / max(gradient_energy(target).sum(), 1e-12))


def translation_figures(output, target):
    """L1, PSNR, SSIM and sharpness of a set of translations against their targets.

    Returns:
        Dict of floats: `l1` (mean absolute error), `psnr` (dB, mean over
        images), `ssim` (mean over images), `sharpness` (see `sharpness`) and
        `sharpness_gap` = |log sharpness| (0 when as sharp as the targets).

    Raises:
        ValueError: if the two sets differ in shape.
    """
    output, target = _check(output, target)
    s = sharpness(output, target)
    return {
        "l1": float(np.abs(output - target).mean()),
        "psnr": float(psnr(output, target).mean()),
        "ssim": float(ssim(output, target).mean()),
        "sharpness": s,
        "sharpness_gap": float(abs(np.log(max(s, 1e-12)))),
    }


def spread(output, target):
    """The spread of a set of outputs' values relative to their targets': std / std.

    Over every pixel and channel of the set. For colorization, where G
    predicts the chroma (a, b), this is the width of the color histograms
    that Isola 2017 (Fig. 7) compares: an L1-trained G averages the
    plausible colors towards gray and its histogram is narrower than the
    photos' (spread below 1); the adversarial term widens it.
    """
    output, target = _check(output, target)
    return float(output.std() / max(float(target.std()), 1e-12))


# ---------------------------------------------------------- super-resolution
Y_WEIGHTS = (65.481, 128.553, 24.966)
"""ITU-R BT.601 luma on 0-255 from RGB in [0, 1]: MATLAB's `rgb2ycbcr`, Y = 16 + w . RGB."""


def rgb_to_y(images):
    """The Y channel of YCbCr (BT.601, MATLAB's `rgb2ycbcr`), on 0-255, of RGB images in [-1, 1].

    Y = 16 + 65.481 R + 128.553 G + 24.966 B with R, G, B in [0, 1] (values
    outside are clipped first), so Y is in [16, 235].

    Example:

    >>> rgb_to_y(np.ones((1, 1, 1, 3)))[0, 0, 0, 0].round(3)
    np.float32(235.0)
    """
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"images must be RGB batches (n, H, W, 3). Received: shape {images.shape}")
    rgb = np.clip((images + 1.0) / 2.0, 0.0, 1.0)
    return (16.0 + rgb @ np.asarray(Y_WEIGHTS, np.float32))[..., None].astype(np.float32)


def _y_cropped(output, target, crop):
    output, target = _check(output, target)
    if isinstance(crop, bool) or not isinstance(crop, (int, np.integer)) or crop < 0 \
            or 2 * crop >= min(output.shape[1:3]):
        raise ValueError(f"crop must be an integer >= 0 smaller than half the image side. "
                         f"Received: crop={crop!r} for images of shape {output.shape}")
    window = (slice(None), slice(crop, output.shape[1] - crop), slice(crop, output.shape[2] - crop))
    return rgb_to_y(output)[window], rgb_to_y(target)[window]


def sr_psnr(output, target, crop):
    """Per-image PSNR (dB) as super-resolution papers report it (Ledig 2017, Section 3.1).

    On the Y channel (`rgb_to_y`, 0-255), with `crop` pixels (the scale)
    cut from each border, `tf.image.psnr(max_val=255)`: 10 log10(255^2 /
    MSE). RGB or uncropped figures are different quantities (lower, the
    borders being the worst-reconstructed pixels) and are not comparable
    with the papers' tables. Identical images give `PSNR_CAP`.

    Args:
        output, target: RGB batches (n, H, W, 3) in [-1, 1].
        crop: pixels cut from each border (the scale factor).
    """
    y_out, y_ref = _y_cropped(output, target, crop)
    values = tf.image.psnr(y_out, y_ref, max_val=255.0).numpy()
    return np.minimum(np.nan_to_num(values, posinf=PSNR_CAP), PSNR_CAP)


def sr_ssim(output, target, crop):
    """Per-image SSIM on the Y channel (0-255), borders cropped, `tf.image.ssim` defaults.

    `max_val=255`, an 11x11 Gaussian window with sigma 1.5, k1 = 0.01,
    k2 = 0.03 (Wang 2004), as in `sr_psnr`'s conventions.
    """
    y_out, y_ref = _y_cropped(output, target, crop)
    return tf.image.ssim(y_out, y_ref, max_val=255.0).numpy()


def sr_figures(output, target, crop):
    """PSNR, SSIM (Y channel, cropped) and the high-frequency energy of a set of SR images.

    Returns:
        Dict of floats: `psnr` and `ssim` (means over images; `sr_psnr`,
        `sr_ssim`) and `hf_energy`, the gradient energy of the outputs'
        cropped Y channel relative to the targets' (`sharpness` on Y: 1 is
        as much fine detail as the HR images, below 1 blurrier, above 1
        noisier), and `hf_gap` = |log hf_energy|.
    """
    y_out, y_ref = _y_cropped(output, target, crop)
    energy = float(gradient_energy(y_out).sum() / max(gradient_energy(y_ref).sum(), 1e-12))
    return {"psnr": float(sr_psnr(output, target, crop).mean()),
            "ssim": float(sr_ssim(output, target, crop).mean()),
            "hf_energy": energy, "hf_gap": float(abs(np.log(max(energy, 1e-12))))}
