"""The gradient-descent lab (exercise 1.3): ``nnlab gd`` and the library under it.

Modules, one idea each:

    scalar       Part A: f(x) = x^2 + 4x + 4, gradient descent with a stopping rule, closed-form counts
    stochastic   Part B: the same f as an exact sum of terms; SGD and mini-batch, noise floors
    functions    FUNCTIONS: 2-D test functions (quadratic bowls, Rosenbrock, Beale, Himmelblau, Rastrigin, saddle)
    paths        PATH_OPTIMIZERS and the batched path runner (own gd; torch.optim for the rest)
    rates        Goh's optimal step sizes on a quadratic and the measured linear rates
    tuning       the learning-rate sweep: log grid, fixed budget, scored by final f - f*
    network      the seed's MLP on seed-circle with each optimizer at its tuned lr (through ``nnlab.fit``)
    plots_1d, plots_2d, plots_compare   figure functions returning matplotlib Figures
    report       the page: claims built from the numbers (each stated as a finding only where it holds), and the
                 document around them
    lab          PARTS: runs the parts, writes the figures, then summary.json, claims.json, report.md and
                 report.html (``nnlab.labpage.write_lab``)

Nothing here imports torch or matplotlib at module level.
"""
