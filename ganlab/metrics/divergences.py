"""KL, JS and the Earth-Mover distance, computed exactly (lab 04).

Between two discrete distributions every divergence of the lecture has an
exact value: KL and JS are sums, and the Earth-Mover (Wasserstein-1)
distance is the optimal transport linear program of the slide,

    W1(P, Q) = min_{T >= 0} sum_ij T_ij ||x_i - y_j||
               s.t. sum_j T_ij = p_i,  sum_i T_ij = q_j,

solved here with `scipy.optimize.linprog` (HiGHS). In 1D it equals
`scipy.stats.wasserstein_distance`, which the tests check.

The module also holds Arjovsky's Example 1 (Arjovsky, Chintala & Bottou
2017, Section 2): P_0 = (0, Z) and P_theta = (theta, Z) with Z ~ U[0, 1],
two parallel segments. Their supports do not overlap for theta != 0, so

    W(P_0, P_theta) = |theta|,
    JS(P_0, P_theta) = log 2 (theta != 0), 0 (theta = 0),
    KL(P_theta || P_0) = +inf (theta != 0), 0 (theta = 0):

only W is continuous in theta and hands a generator a useful gradient.
"""

import numpy as np
from scipy import optimize, sparse, spatial, special

from ganlab.metrics.distributions import js_divergence

LOG2 = float(np.log(2.0))

__all__ = [
    "LOG2",
    "kl_divergence",
    "js_divergence",
    "earth_movers_distance",
    "wasserstein1_samples",
    "parallel_lines",
    "parallel_lines_divergences",
    "js_from_discriminator_value",
    "lipschitz_estimate",
    "critic_report",
    "discriminator_report",
]


def _distribution(name, p):
    p = np.asarray(p, "float64").reshape(-1)
    if p.size == 0 or not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise ValueError(
            f"{name} must be a non-empty vector of non-negative, finite weights "
            f"with a positive sum. Received: {name}={np.asarray(p).tolist()[:8]}"
        )
    return p / p.sum()


def kl_divergence(p, q):
    """Kullback-Leibler divergence KL(P || Q) = sum_i p_i log(p_i / q_i), in nats.

    Exact for discrete distributions (weights are normalised to sum to 1).
    It is +inf when P puts mass where Q has none: the parallel-lines case.

    Args:
        p, q: weights of P and Q over the same outcomes.

    Returns:
        A float in [0, inf].

    Raises:
        ValueError: for negative or non-finite weights, or different lengths.

    Example:
        >>> kl_divergence([0.5, 0.5], [0.25, 0.75])  # doctest: +ELLIPSIS
        0.1438...
    """
    p = _distribution("p", p)
    q = _distribution("q", q)
    if p.shape != q.shape:
        raise ValueError(
            f"p and q must have one length. Received: len(p)={p.size}, len(q)={q.size}"
        )
    return float(np.sum(special.rel_entr(p, q)))


def _points(name, x):
    x = np.asarray(x, "float64")
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or len(x) == 0 or not np.all(np.isfinite(x)):
        raise ValueError(
            f"{name} must be finite points of shape (n,) or (n, d). "
            f"Received: {name}.shape={np.shape(x)}"
        )
    return x


def earth_movers_distance(x, y, p=None, q=None, return_plan=False, method="auto"):
    """Earth-Mover (Wasserstein-1) distance between two discrete distributions.

    Solves the transport linear program (Arjovsky 2017, Eq. 1, for discrete
    P and Q; the "EMD flow" of the slide)

        min_T sum_ij T_ij ||x_i - y_j||_2
        s.t. sum_j T_ij = p_i, sum_i T_ij = q_j, T_ij >= 0

    with `scipy.optimize.linprog` (HiGHS), exactly (up to the solver's
    tolerance, ~1e-9).

    Args:
        x: support of P, shape (n,) or (n, d).
        y: support of Q, shape (m,) or (m, d).
        p: weights of P (default uniform); normalised to sum to 1.
        q: weights of Q (default uniform).
        return_plan: also return the optimal transport plan T, shape (n, m).
        method: "lp" solves the program above; "assignment" solves it, for
            two samples of one size with uniform weights, as the assignment
            problem (`scipy.optimize.linear_sum_assignment`): the program's
            vertices are then permutations / n (Birkhoff-von Neumann), so the
            value is the same, in milliseconds instead of the LP's seconds
            at n = 300. "auto" (default) picks "assignment" when it applies.

    Returns:
        W1 as a float, or (W1, T) with `return_plan=True`.

    Raises:
        ValueError: for points of different dimensions or bad weights, or if
            the solver fails.

    Example:
        >>> earth_movers_distance([0.0, 1.0], [2.0, 3.0])
        2.0
    """
    x = _points("x", x)
    y = _points("y", y)
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"x and y must have one dimension. Received: x.shape={x.shape}, y.shape={y.shape}"
        )
    n, m = len(x), len(y)
    p = np.full(n, 1.0 / n) if p is None else _distribution("p", p)
    q = np.full(m, 1.0 / m) if q is None else _distribution("q", q)
    if p.size != n or q.size != m:
        raise ValueError(
            "p and q must have one weight per point. "
            f"Received: len(p)={p.size} for {n} points, len(q)={q.size} for {m} points"
        )
    methods = ("auto", "lp", "assignment")
    if method not in methods:
        raise ValueError(f"method must be one of {methods}. Received: method={method!r}")
    uniform = n == m and np.allclose(p, 1.0 / n) and np.allclose(q, 1.0 / m)
    if method == "assignment" and not uniform:
        raise ValueError(
            "method='assignment' needs two samples of one size with uniform weights. "
            f"Received: {n} and {m} points"
        )
    cost = spatial.distance.cdist(x, y)  # ||x_i - y_j||_2, the same numbers as numpy's norm
    if method == "assignment" or (method == "auto" and uniform):
        i, j = optimize.linear_sum_assignment(cost)
        value = float(cost[i, j].sum() / n)
        if return_plan:
            plan = np.zeros((n, m))
            plan[i, j] = 1.0 / n
            return value, plan
        return value
    # T is flattened row-major: T_ij -> i * m + j.
    rows = sparse.kron(sparse.eye(n), np.ones((1, m)))  # sum_j T_ij = p_i
    cols = sparse.kron(np.ones((1, n)), sparse.eye(m))  # sum_i T_ij = q_j
    a_eq = sparse.vstack([rows, cols]).tocsr()
    b_eq = np.concatenate([p, q])
    # One constraint is redundant (both sides sum to 1); HiGHS copes.
    res = optimize.linprog(cost.ravel(), A_eq=a_eq, b_eq=b_eq, bounds=(0, None),
                           method="highs")
    if res.status != 0:
        raise ValueError(f"The transport linear program failed: {res.message}")
    value = float(res.fun)
    if return_plan:
        return value, res.x.reshape(n, m)
    return value


def wasserstein1_samples(x, y, max_points=None, seed=0):
    """Exact W1 between the empirical distributions of two samples (a linear program).

    Args:
        x, y: samples of shape (n, d) and (m, d) (or 1D).
        max_points: if set, each sample is first subsampled (without
            replacement, fixed `seed`) to at most this many points, so the
            program stays small (n * m variables).
        seed: subsampling seed.

    Returns:
        W1 of the (subsampled) empirical distributions, a float.

    Raises:
        ValueError: as `earth_movers_distance`, or for max_points < 1.

    Example:
        >>> round(wasserstein1_samples([[0.0, 0.0], [0.0, 1.0]], [[3.0, 0.0], [3.0, 1.0]]), 6)
        3.0
    """
    x = _points("x", x)
    y = _points("y", y)
    if max_points is not None:
        if max_points < 1:
            raise ValueError(f"max_points must be >= 1. Received: max_points={max_points}")
        rng = np.random.default_rng(seed)
        if len(x) > max_points:
            x = x[rng.choice(len(x), max_points, replace=False)]
        if len(y) > max_points:
            y = y[rng.choice(len(y), max_points, replace=False)]
    return earth_movers_distance(x, y)


def parallel_lines(theta, n, seed=0):
    """Draw n points of P_theta = (theta, Z), Z ~ U[0, 1] (Arjovsky 2017, Example 1).

    Returns:
        float32 array of shape (n, 2).

    Raises:
        ValueError: for n < 1 or a non-finite theta.
    """
    if not np.isfinite(theta):
        raise ValueError(f"theta must be finite. Received: theta={theta}")
    if n < 1:
        raise ValueError(f"n must be >= 1. Received: n={n}")
    z = np.random.default_rng(seed).uniform(0.0, 1.0, int(n))
    return np.stack([np.full(int(n), float(theta)), z], axis=1).astype("float32")


def parallel_lines_divergences(theta):
    """Exact W, JS and KL between P_0 and P_theta (Arjovsky 2017, Example 1).

    Returns:
        dict with w (= |theta|), js (log 2, or 0 at theta = 0) and kl
        (KL(P_theta || P_0): +inf, or 0 at theta = 0), in nats.
    """
    apart = theta != 0
    return {
        "w": abs(float(theta)),
        "js": LOG2 if apart else 0.0,
        "kl": float("inf") if apart else 0.0,
    }


def js_from_discriminator_value(value):
    """The JS estimate a discriminator reaches: (V(D) + log 4) / 2 (Goodfellow 2014, Theorem 1).

    With V(D) = E_{P_r}[log D(x)] + E_{P_g}[log(1 - D(x))], the optimal
    discriminator gives V(D*) = -log 4 + 2 JS(P_r, P_g); any other D gives
    less, so this is a lower bound of JS that is tight at D*.

    Args:
        value: V(D), a float <= 0.

    Returns:
        The JS estimate in nats, a float.
    """
    return (float(value) + np.log(4.0)) / 2.0


def _scores_and_x_gradient(net, x, traced=False):
    """net(x) as (n,) scores and d net / d x as (n, d), in float64 numpy (`input_gradients`)."""
    from ganlab.nets.inference import input_gradients  # evaluation only: no update

    scores, grads = input_gradients(net, x, traced)
    return scores.astype("float64"), grads.astype("float64")


def gradient_norms(net, x, traced=False):
    """||grad_x f(x)|| at each point of x, a float64 array (n,): a critic's local slope.

    `traced`: through a cached `tf.function`, for a net measured every epoch
    (`ganlab.nets.inference.input_gradients`).
    """
    _, grads = _scores_and_x_gradient(net, x, traced)
    return np.linalg.norm(grads, axis=1)


def lipschitz_estimate(net, theta, grid=(41, 21), margin=0.1):
    """max ||grad_x f(x)|| over a grid covering both segments and the strip between them.

    The critic's estimate of W is K * W for a K-Lipschitz critic; this is K
    measured where the transport happens (x1 between 0 and theta, x2 in
    [0, 1]), padded by `margin`.
    """
    lo, hi = min(0.0, theta) - margin, max(0.0, theta) + margin
    u, v = np.meshgrid(np.linspace(lo, hi, grid[0]), np.linspace(-margin, 1 + margin, grid[1]))
    points = np.stack([u.ravel(), v.ravel()], axis=1)
    return float(np.max(gradient_norms(net, points)))


def critic_report(critic, theta, n=2000, seed=0):
    """What a WGAN critic f says about P_0 (real) and P_theta (generated).

    Returns:
        dict with
        - estimate: E_{P_0}[f] - E_{P_theta}[f], the dual estimate of K * W;
        - lipschitz: K, measured by `lipschitz_estimate`;
        - normalised: estimate / K, to compare with W = |theta|;
        - grad_theta: d/dtheta of the generator loss -E[f(theta, Z)], the
          gradient the critic hands the generator (about -K sign(theta)).
    """
    real_scores, _ = _scores_and_x_gradient(critic, parallel_lines(0.0, n, seed))
    fake_scores, fake_grads = _scores_and_x_gradient(critic, parallel_lines(theta, n, seed + 1))
    estimate = float(real_scores.mean() - fake_scores.mean())
    k = lipschitz_estimate(critic, theta)
    return {
        "estimate": estimate,
        "lipschitz": k,
        "normalised": estimate / k if k > 0 else float("nan"),
        "grad_theta": float(-fake_grads[:, 0].mean()),
    }


def discriminator_report(discriminator, theta, n=2000, seed=0):
    """What a GAN discriminator (logits l, D = sigmoid(l)) says about P_0 and P_theta.

    Returns:
        dict with
        - value: V(D) = E_{P_0}[log D] + E_{P_theta}[log(1 - D)];
        - js: (V + log 4) / 2, the JS the discriminator certifies;
        - grad_theta: d/dtheta of the minimax generator loss
          E[log(1 - D(theta, Z))] = -E[D * dl/dx1]: it vanishes as D
          becomes optimal;
        - grad_theta_non_saturating: d/dtheta of -E[log D(theta, Z)]
          = -E[(1 - D) * dl/dx1].
    """
    real_logits, _ = _scores_and_x_gradient(discriminator, parallel_lines(0.0, n, seed))
    fake_logits, fake_grads = _scores_and_x_gradient(
        discriminator, parallel_lines(theta, n, seed + 1))
    # log sigmoid(l) = -softplus(-l); log(1 - sigmoid(l)) = -softplus(l)
    value = float(-np.logaddexp(0, -real_logits).mean() - np.logaddexp(0, fake_logits).mean())
    d_fake = special.expit(fake_logits)
    return {
        "value": value,
        "js": js_from_discriminator_value(value),
        "grad_theta": float(-(d_fake * fake_grads[:, 0]).mean()),
        "grad_theta_non_saturating": float(-((1 - d_fake) * fake_grads[:, 0]).mean()),
    }
