"""Figures a lab shows: 1D densities with D(x), 2D sample clouds, image grids, GIFs."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from scipy import stats  # noqa: E402


def figure_to_array(fig):
    """Render a matplotlib figure to an (H, W, 3) uint8 array and close it.

    Drawn straight into Agg's buffer at 80 dpi: the same pixels as saving a
    PNG at 80 dpi and decoding it, without the PNG round trip (labs render a
    frame every epoch).
    """
    fig.set_dpi(80)
    fig.canvas.draw()
    image = np.array(fig.canvas.buffer_rgba())[..., :3]
    plt.close(fig)
    return image


def density_1d(samples, mu, sigma, d_of_x=None, title=""):
    """The lab 01 picture: data density, G's density, and D(x) over x.

    Args:
        samples: generator samples (flattened).
        mu, sigma: the target N(mu, sigma^2).
        d_of_x: optional callable x (n, 1) -> D(x) in [0, 1] for the curve.
        title: figure title.

    Returns:
        An (H, W, 3) uint8 image.
    """
    x = np.asarray(samples).reshape(-1)
    lo, hi = mu - 5 * sigma, mu + 5 * sigma
    lo, hi = min(lo, np.percentile(x, 1)), max(hi, np.percentile(x, 99))
    grid = np.linspace(lo, hi, 400)
    # Margins fixed, not tight_layout's (which draws every text to measure it),
    # and the histogram as one filled outline, not 80 bars: a frame per epoch.
    fig, ax = plt.subplots(figsize=(6, 3.6))
    fig.subplots_adjust(left=0.11, right=0.89, bottom=0.16, top=0.9)
    ax.plot(grid, stats.norm.pdf(grid, mu, sigma), "k-", label="data p(x)")
    counts, edges = np.histogram(x, bins=80, range=(lo, hi), density=True)
    ax.stairs(counts, edges, fill=True, alpha=0.5, color="tab:green", label="generator p_g(x)")
    ax.set_xlim(lo, hi)
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    if d_of_x is not None:
        ax2 = ax.twinx()
        coarse = grid[::4]  # D(x) is smooth; 100 points keep a frame cheap
        ax2.plot(coarse, np.asarray(d_of_x(coarse[:, None])).reshape(-1), "b--", label="D(x)")
        ax2.set_ylim(0, 1)
        ax2.set_ylabel("D(x)")
        ax2.legend(loc="upper right")
    ax.legend(loc="upper left")
    ax.set_title(title)
    return figure_to_array(fig)


def samples_2d(samples, centers, title="", limit=None):
    """Scatter of 2D generator samples over the mixture's modes.

    With no centres (an empty (0, 2) array) only the samples are drawn,
    and the axes' limit comes from them.
    """
    x = np.asarray(samples)
    c = np.asarray(centers).reshape(-1, 2)
    reach = np.abs(c if len(c) else x).max() if (len(c) or len(x)) else 1.0
    limit = limit or 1.3 * reach + 0.5
    fig, ax = plt.subplots(figsize=(4, 4))
    fig.subplots_adjust(left=0.13, right=0.96, bottom=0.08, top=0.92)  # fixed: a frame per epoch
    ax.scatter(x[:, 0], x[:, 1], s=2, alpha=0.3, color="tab:green", label="generator")
    if len(c):
        ax.scatter(c[:, 0], c[:, 1], marker="x", color="k", label="modes")
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_title(title)
    return figure_to_array(fig)


def lines(series, title="", xlabel="epoch", ylabel="", logy=False):
    """Plot several named curves {name: (xs, ys)} on one axis."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, (xs, ys) in series.items():
        ax.plot(xs, ys, label=name)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return figure_to_array(fig)


def side_by_side(images):
    """Join equally tall RGB images horizontally (pads heights if needed)."""
    h = max(im.shape[0] for im in images)
    padded = [np.pad(im, ((0, h - im.shape[0]), (0, 0), (0, 0)), constant_values=255)
              for im in images]
    return np.concatenate(padded, axis=1)


def save_png(image, path):
    Image.fromarray(np.asarray(image, "uint8")).save(path)


def save_gif(frames, path, seconds_per_frame=0.4):
    """Write frames (list of (H, W, 3) uint8) as an endlessly looping GIF."""
    if not frames:
        raise ValueError("save_gif needs at least one frame. Received: 0 frames")
    images = [Image.fromarray(np.asarray(f, "uint8")) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:],
                   duration=int(seconds_per_frame * 1000), loop=0)


def image_grid(images, rows, scale=None, pad=1, value_range=(-1.0, 1.0)):
    """Tile a batch of images into one picture: the sample grid of image labs.

    Images fill the grid row by row; the last row is padded with white cells
    when `len(images)` is not a multiple of `rows`. Gray images are repeated
    to RGB. Small images are enlarged by pixel repetition (nearest
    neighbour) so a 16x16 digit stays visible in TensorBoard and the GIF.

    Args:
        images: array `(n, H, W, C)` with C = 1 or 3 (or `(n, H, W)`), in
            `value_range`; values outside it are clipped.
        rows: number of rows of the grid, 1 <= rows <= n.
        scale: integer enlargement of each image; `None` picks the smallest
            one that makes each cell at least 32 pixels high.
        pad: pixels of white between cells and around the grid.
        value_range: (low, high) of the image values, mapped to 0 and 255.

    Returns:
        An (H', W', 3) uint8 image.

    Raises:
        ValueError: for an empty batch, a channel count other than 1 or 3,
            `rows` outside [1, n] or a `scale` below 1.

    Example:
        >>> import numpy as np
        >>> image_grid(np.zeros((6, 8, 8, 1)), rows=2, scale=1, pad=1).shape
        (19, 28, 3)
    """
    x = np.asarray(images, dtype="float32")
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[0] == 0 or x.shape[-1] not in (1, 3):
        raise ValueError(
            "images must be a non-empty batch (n, H, W, C) with C = 1 or 3. "
            f"Received: images.shape={np.shape(images)}"
        )
    n, h, w, _ = x.shape
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or not 1 <= rows <= n:
        raise ValueError(f"rows must be an integer in [1, {n}]. Received: rows={rows!r}")
    if scale is None:
        scale = max(1, -(-32 // h))
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 1:
        raise ValueError(f"scale must be an integer >= 1. Received: scale={scale!r}")
    low, high = value_range
    x = np.clip((x - low) / (high - low), 0.0, 1.0)
    x = np.round(x * 255.0).astype("uint8")
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    x = x.repeat(scale, axis=1).repeat(scale, axis=2)
    h, w = h * scale, w * scale
    cols = -(-n // rows)
    grid = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, 3), 255, "uint8")
    for i in range(n):
        r, c = divmod(i, cols)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        grid[top : top + h, left : left + w] = x[i]
    return grid
