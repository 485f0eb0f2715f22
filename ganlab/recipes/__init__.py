"""What the labs run: one module per lecture topic.

Each module holds a topic's configurations (the models with the papers'
settings), its comparisons and its figures, and the function a lab calls
into its run folder:

- `toy`: labs 01-02, GANs of MLPs on a 1D Gaussian and 2D mixtures;
- `dcgan`: lab 03, DCGAN on images, sample grids and latent walks;
- `wasserstein`: labs 04-05, divergences on parallel lines, WGAN and WGAN-GP;
- `conditional`: lab 06, the conditional GAN and its class grids;
- `pix2pix`: lab 07, pix2pix and its L1-only ablation on paired photos.
- `stylegan`: lab 12, StyleGAN at 32x32, its style mixing grid, noise and truncation figures.

Recipes sit above the graders: a lab's recipe may use its grader's
measurements (lab 05 logs `ganlab.grading.critic_figures` every epoch), a
grader never imports a recipe.
"""
