"""Pure GAN loss functions, one per equation in the lectures.

Every function takes discriminator logits (or critic scores) of any rank
(a vector for an MLP discriminator, a map for a PatchGAN), casts them to
float32 (so mixed precision never computes a loss in float16), and returns
the scalar mean over all of its elements: the per-replica mean. Models scale
that mean to the global batch (see `ganlab.models.base`).

Labels follow the papers: real = 1, fake = 0. The logits are the
discriminator's pre-sigmoid outputs, D(x) = sigmoid(logit); every log-term is
written with `softplus` so that it is finite for any logit:

    log D(x)       = log sigmoid(l)     = -softplus(-l)
    log(1 - D(x))  = log sigmoid(-l)    = -softplus(l)
"""

import keras
import tensorflow as tf
from keras import ops


def _f32(x):
    return ops.cast(x, "float32")


def minimax_discriminator_loss(real_logits, fake_logits, real_label=1.0):
    """Discriminator loss of the minimax game (Goodfellow 2014, Eq. 1).

    D ascends V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]; this returns
    -V, to be descended:

        L_D = -E_x[log D(x)] - E_z[log(1 - D(G(z)))]
            = E_x[softplus(-l_real)] + E_z[softplus(l_fake)]

    It is the binary cross-entropy with real = 1 and fake = 0, and the
    discriminator loss of every generator loss below.

    One-sided label smoothing (Salimans 2016, Section 3.4) replaces the
    target 1 of real data by `real_label` = a (0.9 in the paper) and leaves
    the fake target at 0:

        L_D = E_x[a softplus(-l_real) + (1 - a) softplus(l_real)]
              + E_z[softplus(l_fake)]

    so D is no longer pushed to ever larger logits on real data: its optimum
    becomes D*(x) = a p_data(x) / (p_data(x) + p_model(x)), capped at a.
    Smoothing the fake target too (to b > 0) would add b p_model(x) to the
    numerator and so reward samples where there are no data; hence
    "one-sided".

    Args:
        real_logits: D's logits on real data, any shape.
        fake_logits: D's logits on generated data, any shape.
        real_label: the target of real data, in (0, 1]; 1 is the plain loss.

    Returns:
        Scalar float32 tensor.

    Raises:
        ValueError: if `real_label` is not in (0, 1].

    Example:
        >>> float(minimax_discriminator_loss([0.0], [0.0]))  # 2 log 2
        1.3862943649291992
    """
    if not 0.0 < float(real_label) <= 1.0:
        raise ValueError(
            f"real_label must be in (0, 1] (0.9 for one-sided label smoothing). "
            f"Received: real_label={real_label!r}"
        )
    real = _f32(real_logits)
    real_term = ops.softplus(-real)
    if real_label != 1.0:
        real_term = real_label * real_term + (1.0 - real_label) * ops.softplus(real)
    return ops.mean(real_term) + ops.mean(ops.softplus(_f32(fake_logits)))


def minimax_generator_loss(fake_logits):
    """Generator loss of the minimax game (Goodfellow 2014, Eq. 1, Algorithm 1).

    G descends E_z[log(1 - D(G(z)))] = -E_z[softplus(l_fake)].

    Its gradient with respect to the logit is -sigmoid(l) = -D(G(z)): when D
    confidently rejects the samples (D(G(z)) near 0, early in training) the
    gradient vanishes. That is why the paper recommends the non-saturating
    loss in practice (Section 3).

    Args:
        fake_logits: D's logits on generated data, any shape.

    Returns:
        Scalar float32 tensor (always <= 0).
    """
    return -ops.mean(ops.softplus(_f32(fake_logits)))


def non_saturating_generator_loss(fake_logits):
    """Non-saturating generator loss (Goodfellow 2014, Section 3).

    G ascends E_z[log D(G(z))]; this returns its negative, to be descended:

        L_G = -E_z[log D(G(z))] = E_z[softplus(-l_fake)]

    Same fixed point as the minimax loss, but its gradient with respect to
    the logit, -(1 - D(G(z))), is largest exactly when D rejects the samples.

    Args:
        fake_logits: D's logits on generated data, any shape.

    Returns:
        Scalar float32 tensor (always >= 0).
    """
    return ops.mean(ops.softplus(-_f32(fake_logits)))


def wasserstein_discriminator_loss(real_scores, fake_scores):
    """Critic loss of WGAN (Arjovsky 2017, Eq. 3 and Algorithm 1).

    The critic f ascends E_x[f(x)] - E_z[f(G(z))], the Kantorovich-Rubinstein
    estimate of W1 (for f 1-Lipschitz); this returns its negative:

        L_critic = E_z[f(G(z))] - E_x[f(x)]

    so -L_critic is the Wasserstein estimate logged during training.

    Args:
        real_scores: critic outputs on real data, any shape (unbounded).
        fake_scores: critic outputs on generated data, any shape.

    Returns:
        Scalar float32 tensor.
    """
    return ops.mean(_f32(fake_scores)) - ops.mean(_f32(real_scores))


def wasserstein_generator_loss(fake_scores):
    """Generator loss of WGAN (Arjovsky 2017, Algorithm 1): -E_z[f(G(z))].

    Args:
        fake_scores: critic outputs on generated data, any shape.

    Returns:
        Scalar float32 tensor.
    """
    return -ops.mean(_f32(fake_scores))


def least_squares_discriminator_loss(real_outputs, fake_outputs, a=0.0, b=1.0):
    """Least-squares discriminator loss (Mao 2017, LSGAN, Eq. 2).

        L_D = 1/2 E_x[(D(x) - b)^2] + 1/2 E_z[(D(G(z)) - a)^2]

    with the paper's 0-1 coding a = 0 (fake), b = 1 (real) by default.
    D's outputs here are raw (no sigmoid).

    Args:
        real_outputs: D's outputs on real data, any shape.
        fake_outputs: D's outputs on generated data, any shape.
        a: target for fake data.
        b: target for real data.

    Returns:
        Scalar float32 tensor.
    """
    real = _f32(real_outputs)
    fake = _f32(fake_outputs)
    return 0.5 * ops.mean(ops.square(real - b)) + 0.5 * ops.mean(
        ops.square(fake - a)
    )


def least_squares_generator_loss(fake_outputs, c=1.0):
    """Least-squares generator loss (Mao 2017, LSGAN, Eq. 2).

        L_G = 1/2 E_z[(D(G(z)) - c)^2]   with c = 1 by default.

    Args:
        fake_outputs: D's outputs on generated data, any shape.
        c: the value G wants D to believe for fake data.

    Returns:
        Scalar float32 tensor.
    """
    return 0.5 * ops.mean(ops.square(_f32(fake_outputs) - c))


def gradient_penalty(critic, real, fake, epsilon=None, seed=None, target=1.0):
    """Two-sided gradient penalty of WGAN-GP (Gulrajani 2017, Eq. 3, Algorithm 1).

        x_hat = eps * x + (1 - eps) * x_tilde,   eps ~ U[0, 1] per example
        GP    = E_{x_hat}[(||grad_{x_hat} f(x_hat)||_2 - 1)^2]

    `lambda` is applied by the model, not here. This is the one place outside
    `ganlab.models` that opens a `tf.GradientTape`: it differentiates the
    critic with respect to its input, not its parameters.

    The norm is sqrt(sum(g^2) + 1e-12): the plain norm has an infinite (NaN)
    derivative where the gradient is exactly zero.

    Args:
        critic: callable mapping a batch like `real` to scores.
        real: batch of real samples, shape (batch, ...).
        fake: batch of generated samples, same shape.
        epsilon: optional interpolation weights of shape (batch, 1, ..., 1)
            in [0, 1]; drawn from U[0, 1] per example when None.
        seed: seed or `keras.random.SeedGenerator` for drawing epsilon.
        target: the norm the penalty pulls towards (1 in the paper).

    Returns:
        Scalar float32 tensor.

    Raises:
        ValueError: if `real` and `fake` have different static shapes.
    """
    real = _f32(real)
    fake = _f32(fake)
    if real.shape != fake.shape:
        raise ValueError(
            "gradient_penalty needs `real` and `fake` of one shape. "
            f"Received: real.shape={real.shape}, fake.shape={fake.shape}"
        )
    if epsilon is None:
        eps_shape = [ops.shape(real)[0]] + [1] * (len(real.shape) - 1)
        epsilon = keras.random.uniform(eps_shape, 0.0, 1.0, seed=seed)
    epsilon = _f32(epsilon)
    x_hat = epsilon * real + (1.0 - epsilon) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = critic(x_hat, training=True)
    grads = tape.gradient(scores, x_hat)
    axes = list(range(1, len(real.shape)))
    norm = ops.sqrt(ops.sum(ops.square(grads), axis=axes) + 1e-12)
    return ops.mean(ops.square(norm - target))


def drift_penalty(real_scores):
    """Progressive GAN's drift term (Karras 2018, Appendix A.1).

        drift = E_{x ~ P_data}[ D(x)^2 ]

    the critic's squared score on real data; the model adds epsilon_drift
    (0.001 in the paper) times it to WGAN-GP's critic loss "to keep the
    discriminator output from drifting too far away from zero".

    Args:
        real_scores: the critic's scores on real samples, any rank.

    Returns:
        Scalar float32 tensor (the per-replica mean).
    """
    return ops.mean(ops.square(_f32(real_scores)))

def r1_penalty(discriminator, real):
    """R1 regularisation (Mescheder 2018, Eq. 9; StyleGAN's, Karras 2019, Appendix C).

        R1 = E_{x ~ P_data}[ ||grad_x D(x)||^2 ]

    the squared gradient norm of D's logit at real data only; the model adds
    gamma / 2 times it to D's loss. Like `gradient_penalty` it differentiates
    D with respect to its input (a tape here, outside `ganlab.models`);
    called inside the model's tape, the penalty's own gradient flows to D's
    weights (double backpropagation). D's logits on `real` are returned too,
    so D's loss needs no second pass over the real batch.

    Args:
        discriminator: callable mapping a batch like `real` to logits.
        real: batch of real samples, (batch, ...).

    Returns:
        (penalty, real_logits): a scalar float32 tensor (the per-replica
        mean over examples) and D's logits on `real`.
    """
    real = _f32(real)
    with tf.GradientTape() as tape:
        tape.watch(real)
        logits = discriminator(real, training=True)
    grads = tape.gradient(logits, real)  # a non-scalar target: the gradient of its sum
    axes = list(range(1, len(real.shape)))
    return ops.mean(ops.sum(ops.square(grads), axis=axes)), logits


GENERATOR_LOSSES = {
    "minimax": minimax_generator_loss,
    "non_saturating": non_saturating_generator_loss,
}


def l1_reconstruction_loss(target, output):
    """L1 distance of a translation to its target (Isola 2017, pix2pix, Eq. 3).

        L_L1(G) = E_{x,y,z}[ ||y - G(x, z)||_1 ]

    The generator of pix2pix descends L_cGAN(G, D) + lambda * L_L1(G)
    (Eq. 4, lambda = 100). The norm is averaged over every element (pixels
    and channels), as the reference code's `torch.nn.L1Loss` does; lambda is
    tuned for that scale. L1 rather than L2 because it encourages less
    blurring (Section 3.1).

    Args:
        target: the ground-truth images y, any shape.
        output: the translations G(x), the same shape.

    Returns:
        Scalar float32 tensor, the per-replica mean absolute difference.

    Raises:
        ValueError: if the shapes differ.
    """
    target, output = _same_shape(target, output)
    return ops.mean(ops.abs(target - output))


def _same_shape(target, output):
    """(target, output) as float32, or ValueError if their shapes differ."""
    target, output = _f32(target), _f32(output)
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(
            "target and output must have the same shape. Received: "
            f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    return target, output


def _mse(target, output):
    target, output = _same_shape(target, output)
    return ops.mean(ops.square(target - output))


def pixel_mse_loss(target, output):
    """The pixel-wise MSE content loss of SRResNet and SRGAN-MSE (Ledig 2017, Eq. 4).

        l_MSE = 1 / (r^2 W H) sum_{x,y} (I_HR(x, y) - G(I_LR)(x, y))^2

    averaged over every element (pixels and channels), on images in [-1, 1]
    as the paper computes it ("MSE loss ... calculated on images of
    intensity range [-1, 1]", Section 3.2).

    Returns:
        Scalar float32 tensor, the per-replica mean squared difference.

    Raises:
        ValueError: if the shapes differ.
    """
    return _mse(target, output)


def vgg_content_loss(target_features, output_features):
    """The VGG content loss (Ledig 2017, Eq. 5): MSE between VGG19 feature maps.

        l_VGG/i,j = 1 / (W_ij H_ij) sum_{x,y} (phi_ij(I_HR) - phi_ij(G(I_LR)))^2

    of the maps phi_{i,j} (`ganlab.nets.srgan.vgg19_features`, which
    already applies the paper's rescaling of the maps by 1/12.75), averaged
    over every element.

    Returns:
        Scalar float32 tensor.

    Raises:
        ValueError: if the shapes differ.
    """
    return _mse(target_features, output_features)


def matching_aware_discriminator_loss(real_right_logits, real_wrong_logits, fake_right_logits):
    """GAN-CLS's matching-aware discriminator loss (Reed et al. 2016, Algorithm 1).

    D scores three pairs: s_r = D(x, h) for a real image and its right
    text, s_w = D(x, h^) for the real image and a wrong text, s_f = D(x^, h)
    for a generated image and the right text. D ascends

        L_D = log(s_r) + (log(1 - s_w) + log(1 - s_f)) / 2

    (Algorithm 1, line 11); this returns -L_D, to be descended:

        E[softplus(-l_r)] + (E[softplus(l_w)] + E[softplus(l_f)]) / 2.

    Args:
        real_right_logits, real_wrong_logits, fake_right_logits: D's logits
            on the three pairs, any shape.

    Returns:
        Scalar float32 tensor.

    Example:
        >>> round(float(matching_aware_discriminator_loss([0.0], [0.0], [0.0])), 6)  # 2 log 2
        1.386294
    """
    return ops.mean(ops.softplus(-_f32(real_right_logits))) + 0.5 * (
        ops.mean(ops.softplus(_f32(real_wrong_logits)))
        + ops.mean(ops.softplus(_f32(fake_right_logits))))


def symmetric_joint_embedding_loss(image_embeddings, text_embeddings, classes, temperature=0.1):
    """Symmetric structured joint embedding loss, softmax form (Reed et al. 2016a, Eq. 3-5).

    With compatibility F(v, t) = theta(v)^T phi(t) (both sides L2-normalised,
    divided by `temperature`), the paper's structured loss asks that each
    image's best-scoring text be of its class and each text's best-scoring
    image be of its class:

        1/N sum_n Delta(y_n, f_v(v_n)) + Delta(y_n, f_t(t_n)).

    This is its softmax surrogate over a minibatch: for row n of the N x N
    score matrix S_nm = F(v_n, t_m), the cross-entropy against the uniform
    distribution on the texts of y_n's class, plus the same for the
    columns (texts against images), each averaged over n.

    Args:
        image_embeddings: (N, d) theta(v).
        text_embeddings: (N, d) phi(t).
        classes: (N,) int class of each pair.
        temperature: the softmax temperature, > 0.

    Returns:
        Scalar float32 tensor.
    """
    v = _f32(image_embeddings)
    t = _f32(text_embeddings)
    v = v / ops.sqrt(ops.sum(v * v, axis=-1, keepdims=True) + 1e-12)
    t = t / ops.sqrt(ops.sum(t * t, axis=-1, keepdims=True) + 1e-12)
    scores = ops.matmul(v, ops.transpose(t)) * (1.0 / temperature)
    c = ops.cast(classes, "int32")
    same = ops.cast(ops.equal(c[:, None], c[None, :]), "float32")
    rows = same / ops.sum(same, axis=1, keepdims=True)
    cols = ops.transpose(same) / ops.sum(ops.transpose(same), axis=1, keepdims=True)
    row_loss = -ops.mean(ops.sum(rows * ops.log_softmax(scores, axis=1), axis=1))
    col_loss = -ops.mean(ops.sum(cols * ops.log_softmax(ops.transpose(scores), axis=1), axis=1))
    return row_loss + col_loss
