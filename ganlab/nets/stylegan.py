"""StyleGAN's networks (Karras 2019, Figure 1b), scaled down for a CPU.

- `mapping_network`: f, z -> w: pixel norm of z, then `layers` equalised
  dense layers with LeakyReLU(0.2) and the learning-rate multiplier 0.01
  (the paper's 8 layers of 512).
- `synthesis_network`: g, from the learned 4x4 constant, two 3x3 layers
  per resolution (4, 8, ..., image_size; nearest upsampling between), each
  followed by its noise input, LeakyReLU(0.2) and AdaIN with its own style
  y = A(w_i); a 1x1 "toRGB" and tanh (the paper's output is linear and
  clipped for display; tanh keeps samples in [-1, 1], the house's image
  contract). Inputs: the per-layer styles ws (batch, num_ws, w_dim) and one
  noise image per layer (batch, r, r, 1).
- `style_discriminator`: the ProGAN / StyleGAN D: fromRGB, two 3x3 layers
  and 2x2 average pooling per resolution, then minibatch stddev (groups of
  4), a 3x3 layer, a dense layer and the logit; equalised lr everywhere.

Helpers on numpy arrays (the lab's figures and the grader use them):
`style_count`, `noise_shapes`, `draw_noise`, `mix_styles`, `synthesize`.
"""

import math

import keras
import numpy as np
from keras import layers

from ganlab.nets.inference import infer
from ganlab.nets.layers import MinibatchStddev
from ganlab.nets.style_layers import (
    AdaIN,
    EqualizedConv2D,
    EqualizedDense,
    LearnedConstant,
    NoiseInput,
    PixelNorm,
)

MAPPING_LR_MULTIPLIER = 0.01
"""The mapping network's learning-rate multiplier (Karras 2019, Appendix C)."""


def _resolutions(image_size):
    if isinstance(image_size, bool) or not isinstance(image_size, int) or image_size < 4 or (
            image_size & (image_size - 1)):
        raise ValueError("image_size must be a power of two >= 4 (4, 8, 16, 32, ...). "
                         f"Received: image_size={image_size!r}")
    return [2 ** k for k in range(2, int(math.log2(image_size)) + 1)]


def _width(widths, resolution):
    return widths[resolution] if isinstance(widths, dict) else widths


def mapping_network(latent_dim=32, w_dim=32, num_layers=8, lr_multiplier=MAPPING_LR_MULTIPLIER,
                    name="mapping"):
    """f: z -> w, Karras 2019 Section 2 (8 layers of 512 in the paper).

    Args:
        latent_dim: dimension of z.
        w_dim: dimension of w (and width of every layer).
        num_layers: number of fully connected layers (the paper's 8).
        lr_multiplier: the layers' learning-rate multiplier (0.01).
        name: name of the model.

    Returns:
        A functional `keras.Model` (batch, latent_dim) -> (batch, w_dim).

    Raises:
        ValueError: for a non-positive dimension or layer count.
    """
    for arg, value in (("latent_dim", latent_dim), ("w_dim", w_dim), ("num_layers", num_layers)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{arg} must be an integer >= 1. Received: {arg}={value!r}")
    z = keras.Input((latent_dim,), name="z")
    h = PixelNorm(name="normalize_z")(z)
    for i in range(num_layers):
        h = EqualizedDense(w_dim, lr_multiplier=lr_multiplier, name=f"fc{i}")(h)
        h = layers.LeakyReLU(0.2, name=f"fc{i}_lrelu")(h)
    return keras.Model(z, h, name=name)


def style_count(image_size):
    """num_ws: the number of styles (= AdaIN layers = noise inputs), two per resolution."""
    return 2 * len(_resolutions(image_size))


def synthesis_network(image_size=32, channels=1, w_dim=32, widths=None, name="synthesis"):
    """g: (ws, noise) -> image, Karras 2019 Figure 1b.

    Args:
        image_size: output side, a power of two >= 4.
        channels: output channels.
        w_dim: dimension of w.
        widths: feature maps per resolution, an int or {resolution: int};
            default {4: 64, 8: 64, 16: 32, 32: 16, 64: 16}.
        name: name of the model.

    Returns:
        A functional `keras.Model` with inputs [ws (batch, num_ws, w_dim),
        noise_0 ... noise_{num_ws-1} (batch, r, r, 1)] and output
        (batch, image_size, image_size, channels) in [-1, 1]. Style i
        drives AdaIN layer i: i = 0, 1 at 4x4, 2, 3 at 8x8, and so on.

    Raises:
        ValueError: for an image_size that is not a power of two >= 4.
    """
    resolutions = _resolutions(image_size)
    widths = widths or {4: 64, 8: 64, 16: 32, 32: 16, 64: 16}
    num_ws = style_count(image_size)
    ws = keras.Input((num_ws, w_dim), name="ws")
    noises = [keras.Input((r, r, 1), name=f"noise{2 * i + j}")
              for i, r in enumerate(resolutions) for j in range(2)]
    index = 0

    def epilogue(x, label):
        nonlocal index
        x = NoiseInput(name=f"{label}_noise")([x, noises[index]])
        x = layers.LeakyReLU(0.2, name=f"{label}_lrelu")(x)
        w = StyleSlice(index, name=f"{label}_w")(ws)
        c = x.shape[-1]
        y_s = EqualizedDense(c, gain=1.0, bias_init=1.0, name=f"{label}_style_scale")(w)
        y_b = EqualizedDense(c, gain=1.0, name=f"{label}_style_bias")(w)
        index += 1
        return AdaIN(name=f"{label}_adain")([x, y_s, y_b])

    x = LearnedConstant(4, _width(widths, 4), name="const")(ws)
    x = epilogue(x, "b4_const")  # the constant is learned: no bias before its noise
    x = epilogue(EqualizedConv2D(_width(widths, 4), 3, name="b4_conv")(x), "b4_conv")
    for r in resolutions[1:]:
        x = layers.UpSampling2D(2, interpolation="nearest", name=f"b{r}_up")(x)
        x = epilogue(EqualizedConv2D(_width(widths, r), 3, name=f"b{r}_conv0")(x), f"b{r}_conv0")
        x = epilogue(EqualizedConv2D(_width(widths, r), 3, name=f"b{r}_conv1")(x), f"b{r}_conv1")
    x = EqualizedConv2D(channels, 1, gain=1.0, name="to_rgb")(x)
    x = layers.Activation("tanh", name="tanh")(x)
    return keras.Model([ws, *noises], x, name=name)


@keras.saving.register_keras_serializable("ganlab")
class StyleSlice(keras.layers.Layer):
    """ws[:, index]: the w of one AdaIN layer from the per-layer styles (batch, num_ws, w_dim)."""

    def __init__(self, index, **kwargs):
        super().__init__(**kwargs)
        self.index = int(index)

    def call(self, ws):
        return ws[:, self.index]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def get_config(self):
        return {**super().get_config(), "index": self.index}


def style_discriminator(image_size=32, channels=1, widths=None, group_size=4,
                        name="discriminator"):
    """The StyleGAN / ProGAN discriminator (Karras 2018 Table 2, Karras 2019), scaled down.

    Args:
        image_size: input side, a power of two >= 4.
        channels: input channels.
        widths: feature maps per resolution, an int or {resolution: int};
            default {4: 64, 8: 64, 16: 32, 32: 16, 64: 16}.
        group_size: the minibatch stddev's group (4, the reference code's).
        name: name of the model.

    Returns:
        A functional `keras.Model` (batch, H, W, channels) -> logits (batch, 1).
    """
    resolutions = _resolutions(image_size)
    widths = widths or {4: 64, 8: 64, 16: 32, 32: 16, 64: 16}
    x_in = keras.Input((image_size, image_size, channels), name="image")
    x = EqualizedConv2D(_width(widths, image_size), 1, name="from_rgb")(x_in)
    x = layers.LeakyReLU(0.2, name="from_rgb_lrelu")(x)
    for r in reversed(resolutions[1:]):
        x = EqualizedConv2D(_width(widths, r), 3, name=f"b{r}_conv0")(x)
        x = layers.LeakyReLU(0.2, name=f"b{r}_conv0_lrelu")(x)
        x = EqualizedConv2D(_width(widths, r // 2), 3, name=f"b{r}_conv1")(x)
        x = layers.LeakyReLU(0.2, name=f"b{r}_conv1_lrelu")(x)
        x = layers.AveragePooling2D(2, name=f"b{r}_down")(x)
    x = MinibatchStddev(group_size, name="minibatch_stddev")(x)
    x = EqualizedConv2D(_width(widths, 4), 3, name="b4_conv")(x)
    x = layers.LeakyReLU(0.2, name="b4_conv_lrelu")(x)
    x = layers.Flatten(name="flatten")(x)
    x = EqualizedDense(_width(widths, 4), name="b4_fc")(x)
    x = layers.LeakyReLU(0.2, name="b4_fc_lrelu")(x)
    x = EqualizedDense(1, gain=1.0, name="logit")(x)
    return keras.Model(x_in, x, name=name)


# --------------------------------------------------------- numpy helpers
def noise_shapes(synthesis):
    """The (r, r, 1) shape of each noise input of a synthesis network, in style order."""
    return [tuple(t.shape[1:]) for t in synthesis.inputs[1:]]


def draw_noise(synthesis, n, seed):
    """One N(0, 1) noise image per layer for `n` samples, drawn with numpy (`seed`)."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n, *shape)).astype("float32") for shape in noise_shapes(synthesis)]


def mix_styles(w_coarse, w_fine, crossover, num_ws):
    """Per-layer styles: layers before `crossover` take w_coarse, the others w_fine.

    Karras 2019, Section 3.1 (style mixing): "switch from one latent code to
    another at a randomly selected point in the synthesis network".

    Args:
        w_coarse, w_fine: (n, w_dim) arrays (or broadcastable).
        crossover: int in [0, num_ws].
        num_ws: the number of styles.

    Returns:
        ws (n, num_ws, w_dim) float32.
    """
    w_coarse, w_fine = np.broadcast_arrays(np.asarray(w_coarse, "float32"),
                                           np.asarray(w_fine, "float32"))
    take_coarse = (np.arange(num_ws) < crossover)[None, :, None]
    return np.where(take_coarse, w_coarse[:, None], w_fine[:, None]).astype("float32")


def synthesize(synthesis, ws, noise, batch_size=500):
    """g(ws, noise) as numpy, in inference mode."""
    ws = np.asarray(ws, "float32")
    if ws.ndim == 2:
        ws = np.repeat(ws[:, None], len(noise), axis=1)
    return infer(synthesis, [ws, *noise], batch_size)
