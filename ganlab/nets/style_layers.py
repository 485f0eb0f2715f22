"""The small layers of Progressive GAN (Karras 2018) and StyleGAN (Karras 2019).

Each is one formula, registered with Keras and tested against a numpy
computation of that formula (tests/nets/test_style_layers.py):

- `PixelNorm`: b = a / sqrt(mean_j(a_j^2) + 1e-8), over the channels of each
  pixel (Karras 2018, Section 4.2, Eq. 1 with epsilon 1e-8);
- `EqualizedDense`, `EqualizedConv2D`: the equalised learning rate (Karras
  2018, Section 4.1): weights drawn from N(0, 1) / lr_multiplier and scaled
  at run time by He's constant c = gain / sqrt(fan_in) times lr_multiplier
  (StyleGAN's mapping network uses lr_multiplier 0.01, Karras 2019,
  Appendix C);
- `MinibatchStddev` (in `ganlab.nets.layers`): the minibatch standard
  deviation feature of D (Karras 2018, Section 3);
- `AdaIN`: AdaIN(x_i, y) = y_s,i (x_i - mu(x_i)) / sigma(x_i) + y_b,i
  (Karras 2019, Eq. 1);
- `NoiseInput`: x + B * noise, with B a learned per-channel scale
  (Karras 2019, Section 2 and Figure 1b, B initialised to 0);
- `LearnedConstant`: the learned 4x4 input of the synthesis network
  (Karras 2019, Figure 1b, initialised to ones as in the reference code).
"""

import math

import keras
from keras import ops

SQRT2 = math.sqrt(2.0)
"""He's gain for layers followed by a (leaky) ReLU."""


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1. Received: {name}={value!r}")


def _check_positive_number(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a number > 0. Received: {name}={value!r}")


@keras.saving.register_keras_serializable("ganlab")
class PixelNorm(keras.layers.Layer):
    """Pixelwise feature vector normalisation (Karras 2018, Section 4.2, Eq. 1).

        b_x,y = a_x,y / sqrt(1/N sum_j (a_x,y^j)^2 + epsilon),   epsilon = 1e-8

    over the N channels (the last axis) of each pixel, or of each vector for
    (batch, features) inputs (StyleGAN normalises z this way before the
    mapping network).

    Example:
        >>> PixelNorm()(keras.ops.full((1, 2, 2, 4), 3.0)).shape
        (1, 2, 2, 4)
    """

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        _check_positive_number("epsilon", epsilon)
        self.epsilon = float(epsilon)

    def call(self, x):
        return x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


class _Equalized(keras.layers.Layer):
    """What both equalised layers share: N(0, 1/lr_mul^2) weights scaled at run time."""

    def __init__(self, gain=SQRT2, lr_multiplier=1.0, use_bias=True, bias_init=0.0,
                 **kwargs):
        super().__init__(**kwargs)
        _check_positive_number("gain", gain)
        _check_positive_number("lr_multiplier", lr_multiplier)
        self.gain = float(gain)
        self.lr_multiplier = float(lr_multiplier)
        self.use_bias = bool(use_bias)
        self.bias_init = float(bias_init)

    def _add_weights(self, kernel_shape, fan_in, units):
        # He's constant at run time (Karras 2018, Section 4.1): w_hat = w * c,
        # so every weight is updated at the same dynamic range by Adam.
        self.scale = self.gain / math.sqrt(fan_in) * self.lr_multiplier
        self.kernel = self.add_weight(
            name="kernel", shape=kernel_shape,
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier))
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(units,),
                initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier))

    def _add_bias(self, y):
        if self.use_bias:
            y = y + ops.cast(self.bias * self.lr_multiplier, y.dtype)
        return y

    def get_config(self):
        return {**super().get_config(), "gain": self.gain, "lr_multiplier": self.lr_multiplier,
                "use_bias": self.use_bias, "bias_init": self.bias_init}


@keras.saving.register_keras_serializable("ganlab")
class EqualizedDense(_Equalized):
    """A dense layer with the equalised learning rate (Karras 2018, Section 4.1).

        y = x (W c) + b lr_multiplier,   c = gain / sqrt(fan_in) * lr_multiplier,
        W ~ N(0, 1 / lr_multiplier^2) at initialisation, b = bias_init / lr_multiplier

    so the effective weights W c start as He's N(0, gain^2 / fan_in) and the
    effective bias as `bias_init`, while the optimizer moves W and b, whose
    gradients are lr_multiplier times smaller than the effective ones: with
    Adam that is a learning rate lr_multiplier times the optimizer's (the
    mapping network's 0.01, Karras 2019, Appendix C).

    Args:
        units: output features.
        gain: sqrt(2) before a (leaky) ReLU, 1 for a linear output.
        lr_multiplier: the learning-rate multiplier (> 0).
        use_bias: whether to add a bias.
        bias_init: the effective bias at initialisation (1 for AdaIN's scale).

    Example:
        >>> EqualizedDense(3)(keras.ops.ones((2, 5))).shape
        (2, 3)
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        _check_positive_int("units", units)
        self.units = units

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self._add_weights((fan_in, self.units), fan_in, self.units)

    def call(self, x):
        return self._add_bias(ops.matmul(x, ops.cast(self.kernel * self.scale, x.dtype)))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable("ganlab")
class EqualizedConv2D(_Equalized):
    """A stride-1 'same' convolution with the equalised learning rate (Karras 2018, Section 4.1).

    As `EqualizedDense`, with fan_in = kernel_size^2 * input channels.

    Args:
        filters: output channels.
        kernel_size: odd side of the square kernel (1 or 3 in the papers).
        gain, lr_multiplier, use_bias, bias_init: as `EqualizedDense`.

    Example:
        >>> EqualizedConv2D(4, 3)(keras.ops.ones((2, 8, 8, 3))).shape
        (2, 8, 8, 4)
    """

    def __init__(self, filters, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        _check_positive_int("filters", filters)
        _check_positive_int("kernel_size", kernel_size)
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd ('same' padding). "
                             f"Received: kernel_size={kernel_size}")
        self.filters = filters
        self.kernel_size = kernel_size

    def build(self, input_shape):
        channels, k = int(input_shape[-1]), self.kernel_size
        self._add_weights((k, k, channels, self.filters), k * k * channels, self.filters)

    def call(self, x):
        kernel = ops.cast(self.kernel * self.scale, x.dtype)
        return self._add_bias(ops.conv(x, kernel, strides=1, padding="same"))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size}


@keras.saving.register_keras_serializable("ganlab")
class AdaIN(keras.layers.Layer):
    """Adaptive instance normalisation (Karras 2019, Eq. 1; Huang & Belongie 2017).

        AdaIN(x_i, y) = y_s,i (x_i - mu(x_i)) / sigma(x_i) + y_b,i

    for each feature map x_i of each sample, mu and sigma its mean and
    standard deviation over the pixels (sigma = sqrt(variance + epsilon)).
    The style y = (y_s, y_b) comes in as two (batch, channels) inputs; the
    learned affine transform "A" from w to y is two `EqualizedDense` layers
    in the synthesis network (y_s's bias starts at 1), so that this layer is
    the slide's formula and nothing else.

    Call with [x, y_s, y_b]: x (batch, H, W, C), y_s and y_b (batch, C).

    Example:
        >>> x, y = keras.ops.ones((2, 4, 4, 3)), keras.ops.ones((2, 3))
        >>> AdaIN()([x, y, y]).shape
        (2, 4, 4, 3)
    """

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        _check_positive_number("epsilon", epsilon)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        x, y_s, y_b = inputs
        mu = ops.mean(x, axis=(1, 2), keepdims=True)
        var = ops.mean(ops.square(x - mu), axis=(1, 2), keepdims=True)
        normalised = (x - mu) * ops.rsqrt(var + self.epsilon)
        return y_s[:, None, None, :] * normalised + y_b[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable("ganlab")
class NoiseInput(keras.layers.Layer):
    """Per-pixel noise with a learned per-channel scale (Karras 2019, Section 2, Figure 1b "B").

        out = x + B * noise,   B in R^C learned, noise (batch, H, W, 1) ~ N(0, 1)

    One noise image is broadcast to all C feature maps, each scaled by its
    own factor; B starts at 0 as in the reference code. The noise is an
    input (the model draws it with its seed generator, for the whole global
    batch under `tf.distribute`), so the same w with other noise is a
    matter of feeding other noise.

    Call with [x, noise].

    Example:
        >>> NoiseInput()([keras.ops.ones((2, 4, 4, 3)), keras.ops.ones((2, 4, 4, 1))]).shape
        (2, 4, 4, 3)
    """

    def build(self, input_shape):
        self.strength = self.add_weight(name="strength", shape=(input_shape[0][-1],),
                                        initializer="zeros")

    def call(self, inputs):
        x, noise = inputs
        return x + ops.cast(self.strength, x.dtype) * ops.cast(noise, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]


@keras.saving.register_keras_serializable("ganlab")
class LearnedConstant(keras.layers.Layer):
    """The synthesis network's learned constant input (Karras 2019, Figure 1b, "Const 4x4x512").

    Returns the (size, size, channels) constant, initialised to ones (the
    reference code's), repeated for each sample of the input batch (the input
    is only read for its batch size).

    Args:
        size: side of the constant (4 in the paper).
        channels: its channels (512 in the paper).

    Example:
        >>> LearnedConstant(4, 8)(keras.ops.zeros((3, 16))).shape
        (3, 4, 4, 8)
    """

    def __init__(self, size=4, channels=512, **kwargs):
        super().__init__(**kwargs)
        _check_positive_int("size", size)
        _check_positive_int("channels", channels)
        self.size = size
        self.channels = channels

    def build(self, input_shape):
        self.constant = self.add_weight(name="constant",
                                        shape=(1, self.size, self.size, self.channels),
                                        initializer="ones")

    def call(self, x):
        batch = ops.shape(x)[0]
        return ops.tile(ops.cast(self.constant, self.compute_dtype), (batch, 1, 1, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "channels": self.channels}
