"""Progressive GAN's growing networks (Karras 2018, Figures 1 and 2, Table 2), scaled down.

Both nets are built at their full resolution from the start: every block,
every toRGB / fromRGB layer and the fade-in weight `alpha` exist from
construction, so under `tf.distribute` all of them are created inside the
strategy's scope and the optimizers' slots can be built for all of them at
`compile`. Which part of the network runs is the Python attribute `phase`
(0 for 4x4, 1 for 8x8, ...): `call` follows it, so a phase change changes
the traced graph (`ganlab.models.ProGAN.set_phase` then drops the cached
`tf.function`s), while `alpha` is a non-trainable variable read by the
graph, so moving it within a phase retraces nothing.

- `ProgressiveGenerator`: pixel norm of z, an equalised dense layer to
  4x4 (Table 2's "Conv 4x4" on a 1x1 latent), a 3x3 layer, then per
  resolution nearest 2x upsampling and two 3x3 layers; LeakyReLU(0.2) and
  pixel norm after every layer (Section 4.2); a 1x1 toRGB per resolution.
  In phase k > 0 the output is the fade-in (Figure 2b)

      (1 - alpha) upsample(toRGB_{k-1}(h_{k-1})) + alpha toRGB_k(h_k),

  then tanh (the paper's output is linear; tanh keeps the house's [-1, 1]
  image contract; nearest upsampling commutes with it, so at alpha = 0 the
  output is exactly phase k-1's upsampled).
- `ProgressiveDiscriminator`: the mirror: fromRGB per resolution, per block
  two 3x3 layers (the second to the next block's width) and 2x2 average
  pooling, then minibatch stddev (groups of 4), a 3x3 layer, a dense layer
  ("Conv 4x4") and the linear score. In phase k > 0 the new block's output
  is blended with fromRGB_{k-1} of the 2x average-pooled image:

      (1 - alpha) fromRGB_{k-1}(downsample(x)) + alpha block_k(fromRGB_k(x)).

Equalised learning rate everywhere (Section 4.1).
"""

import keras
from keras import ops

from ganlab.nets.layers import MinibatchStddev
from ganlab.nets.style_layers import SQRT2, EqualizedConv2D, EqualizedDense, PixelNorm
from ganlab.nets.stylegan import _resolutions

DEFAULT_WIDTHS = {4: 64, 8: 64, 16: 32, 32: 16}
"""Feature maps per resolution (the paper's are 512 up to 32x32, Table 2)."""


def upsample2x(x):
    """Nearest-neighbour 2x upsampling of NHWC images (Karras 2018, Figure 2)."""
    return ops.repeat(ops.repeat(x, 2, axis=1), 2, axis=2)


def downsample(x, factor=2):
    """Average pooling by `factor` of NHWC images (Karras 2018, Figure 2)."""
    if factor == 1:
        return x
    return ops.average_pool(x, factor, strides=factor, padding="valid")


def mark_built(layer):
    """A layer without weights, marked built (`fit` under a strategy builds any unbuilt layer by
    calling the model on a batch of data, which is not G's input)."""
    layer.built = True
    return layer


def _lrelu(x):
    return ops.leaky_relu(x, 0.2)


def _widths(widths, resolutions):
    widths = DEFAULT_WIDTHS if widths is None else widths
    if isinstance(widths, int) and not isinstance(widths, bool):
        widths = {r: widths for r in resolutions}
    if not isinstance(widths, dict):
        raise ValueError(f"widths must be an int or {{resolution: int}}. Received: widths={widths!r}")
    widths = {int(k): v for k, v in widths.items()}  # JSON configs have string keys
    for r in resolutions:
        w = widths.get(r)
        if isinstance(w, bool) or not isinstance(w, int) or w < 1:
            raise ValueError(f"widths must give an integer >= 1 for every resolution "
                             f"{resolutions}. Received: widths={widths!r}")
    return {r: widths[r] for r in resolutions}


@keras.saving.register_keras_serializable("ganlab")
class FadeIn(keras.layers.Layer):
    """The fade-in of a new block (Karras 2018, Figure 2b): (1 - alpha) old + alpha new.

    Call with [old, new] and alpha=, a scalar in [0, 1] (a number or a variable). Written so that
    alpha = 0 returns `old` and alpha = 1 returns `new` exactly (the
    interpolation form old + alpha (new - old) is off by rounding at 1).

    Example:
        >>> FadeIn()([keras.ops.zeros((1, 2)), keras.ops.ones((1, 2))], alpha=0.25).numpy().tolist()
        [[0.25, 0.25]]
    """

    def call(self, inputs, alpha):
        old, new = inputs
        alpha = ops.cast(alpha, old.dtype)
        return (1.0 - alpha) * old + alpha * new

    def compute_output_shape(self, input_shape):
        return input_shape[0]


class _Progressive(keras.Model):
    """What both growing nets share: resolutions, widths, phase, alpha."""

    def __init__(self, image_size, channels, widths, phase, **kwargs):
        super().__init__(**kwargs)
        self.resolutions = _resolutions(image_size)
        if isinstance(channels, bool) or not isinstance(channels, int) or channels < 1:
            raise ValueError(f"channels must be an integer >= 1. Received: channels={channels!r}")
        self.image_size = image_size
        self.channels = channels
        self.widths = _widths(widths, self.resolutions)
        self.alpha = self.add_weight(name="alpha", shape=(), initializer="ones", trainable=False,
                                     aggregation="only_first_replica")
        self.phase = self.check_phase(phase)

    @property
    def num_phases(self):
        return len(self.resolutions)

    @property
    def resolution(self):
        """The side of the images of the current phase."""
        return self.resolutions[self.phase]

    def check_phase(self, phase):
        if isinstance(phase, bool) or not isinstance(phase, int) or not (
                0 <= phase < self.num_phases):
            raise ValueError(f"phase must be an integer in [0, {self.num_phases - 1}] (resolutions "
                             f"{self.resolutions}). Received: phase={phase!r}")
        return phase

    def _conv(self, filters, kernel_size, name, in_channels, resolution):
        layer = EqualizedConv2D(filters, kernel_size, name=name)
        layer.build((None, resolution, resolution, in_channels))
        return layer

    def phase_trainable_variables(self, phase=None):
        """The trainable variables the network of `phase` (default: the current) uses."""
        phase = self.phase if phase is None else self.check_phase(phase)
        return [v for layer in self.phase_layers(phase) for v in layer.trainable_variables]

    def get_config(self):
        return {**super().get_config(), "image_size": self.image_size, "channels": self.channels,
                "widths": self.widths, "phase": self.phase}


@keras.saving.register_keras_serializable("ganlab")
class ProgressiveGenerator(_Progressive):
    """Progressive GAN's G (Karras 2018, Table 2 top), z -> images of the phase's resolution.

    Args:
        latent_dim: dimension of z.
        image_size: final side, a power of two >= 4 (phases 4, 8, ..., image_size).
        channels: image channels.
        widths: feature maps per resolution, an int or {resolution: int}
            (default `DEFAULT_WIDTHS`).
        phase: the current phase (0 is 4x4).

    Example:
        >>> g = ProgressiveGenerator(8, 16, 1, 8, phase=1)
        >>> tuple(g(keras.ops.zeros((2, 8))).shape)
        (2, 8, 8, 1)
    """

    def __init__(self, latent_dim=32, image_size=32, channels=1, widths=None, phase=0, **kwargs):
        super().__init__(image_size, channels, widths, phase, **kwargs)
        if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or latent_dim < 1:
            raise ValueError(f"latent_dim must be an integer >= 1. Received: latent_dim={latent_dim!r}")
        self.latent_dim = latent_dim
        w = self.widths
        self.normalize = mark_built(PixelNorm(name="pixel_norm"))
        # the reference code's gain for the first layer: sqrt(2) / 4 (a 4x4 "convolution")
        self.b4_dense = EqualizedDense(16 * w[4], gain=SQRT2 / 4, name="b4_dense")
        self.b4_dense.build((None, latent_dim))
        self.b4_conv = self._conv(w[4], 3, "b4_conv", w[4], 4)
        self.blocks = []
        previous = w[4]
        for r in self.resolutions[1:]:
            self.blocks.append([self._conv(w[r], 3, f"b{r}_conv0", previous, r),
                                self._conv(w[r], 3, f"b{r}_conv1", w[r], r)])
            previous = w[r]
        self.to_rgb = []
        for r in self.resolutions:
            layer = EqualizedConv2D(channels, 1, gain=1.0, name=f"to_rgb{r}")
            layer.build((None, r, r, w[r]))
            self.to_rgb.append(layer)
        self.fade = mark_built(FadeIn(name="fade_in"))
        self.built = True

    @property
    def input_shape(self):
        return (None, self.latent_dim)

    def phase_layers(self, phase):
        layers = [self.b4_dense, self.b4_conv, *[c for b in self.blocks[:phase] for c in b],
                  self.to_rgb[phase]]
        return layers + ([self.to_rgb[phase - 1]] if phase else [])

    def _layer(self, conv, x):
        return self.normalize(_lrelu(conv(x)))

    def features(self, z, phase):
        """h_phase: the feature maps at the resolution of `phase` (before toRGB)."""
        x = self.normalize(z)
        x = ops.reshape(_lrelu(self.b4_dense(x)), (-1, 4, 4, self.widths[4]))
        x = self._layer(self.b4_conv, self.normalize(x))
        for block in self.blocks[:phase]:
            x = upsample2x(x)
            for conv in block:
                x = self._layer(conv, x)
        return x

    def call(self, z, training=False):
        k = self.phase
        if k == 0:
            return ops.tanh(self.to_rgb[0](self.features(z, 0)))
        old = self.features(z, k - 1)
        new = upsample2x(old)
        for conv in self.blocks[k - 1]:
            new = self._layer(conv, new)
        rgb = self.fade([upsample2x(self.to_rgb[k - 1](old)), self.to_rgb[k](new)], alpha=self.alpha)
        return ops.tanh(rgb)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.resolution, self.resolution, self.channels)

    def get_config(self):
        return {**super().get_config(), "latent_dim": self.latent_dim}


@keras.saving.register_keras_serializable("ganlab")
class ProgressiveDiscriminator(_Progressive):
    """Progressive GAN's D (Karras 2018, Table 2 bottom): images of the phase's side -> scores.

    Args:
        image_size, channels, widths, phase: as `ProgressiveGenerator`.
        group_size: the minibatch stddev's group (4, the reference code's).

    Example:
        >>> d = ProgressiveDiscriminator(16, 1, 8, phase=1)
        >>> tuple(d(keras.ops.zeros((4, 8, 8, 1))).shape)
        (4, 1)
    """

    def __init__(self, image_size=32, channels=1, widths=None, phase=0, group_size=4, **kwargs):
        super().__init__(image_size, channels, widths, phase, **kwargs)
        w = self.widths
        self.group_size = group_size
        self.from_rgb = [self._conv(w[r], 1, f"from_rgb{r}", channels, r)
                         for r in self.resolutions]
        self.blocks = [[self._conv(w[r], 3, f"b{r}_conv0", w[r], r),
                        self._conv(w[r // 2], 3, f"b{r}_conv1", w[r], r)]
                       for r in self.resolutions[1:]]  # blocks[i] runs at resolutions[i + 1]
        self.stddev = mark_built(MinibatchStddev(group_size, name="minibatch_stddev"))
        self.b4_conv = self._conv(w[4], 3, "b4_conv", w[4] + 1, 4)
        self.b4_dense = EqualizedDense(w[4], name="b4_dense")
        self.b4_dense.build((None, 16 * w[4]))
        self.logit = EqualizedDense(1, gain=1.0, name="logit")
        self.logit.build((None, w[4]))
        self.fade = mark_built(FadeIn(name="fade_in"))
        self.built = True

    def phase_layers(self, phase):
        layers = [self.from_rgb[phase], *[c for b in self.blocks[:phase] for c in b],
                  self.b4_conv, self.b4_dense, self.logit]
        return layers + ([self.from_rgb[phase - 1]] if phase else [])

    def _block(self, i, x):
        for conv in self.blocks[i]:
            x = _lrelu(conv(x))
        return downsample(x)

    def head(self, x):
        """The 4x4 end: minibatch stddev, 3x3 layer, dense layer, score."""
        x = _lrelu(self.b4_conv(self.stddev(x)))
        x = _lrelu(self.b4_dense(ops.reshape(x, (-1, 16 * self.widths[4]))))
        return self.logit(x)

    def call(self, x, training=False):
        k = self.phase
        h = _lrelu(self.from_rgb[k](x))
        if k > 0:
            new = self._block(k - 1, h)
            old = _lrelu(self.from_rgb[k - 1](downsample(x)))
            h = self.fade([old, new], alpha=self.alpha)
            for i in range(k - 2, -1, -1):
                h = self._block(i, h)
        return self.head(h)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size}
