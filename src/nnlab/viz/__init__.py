"""Figures: functions that take data (or a trained model) and return a matplotlib Figure; ``save`` writes it."""
from nnlab.viz._style import save
from nnlab.viz.boundary import plot_decision_boundary, predict_grid, seed_grid
from nnlab.viz.curves import plot_loss_curve
from nnlab.viz.datasets import plot_dataset
from nnlab.viz.gradients import plot_gradient_heatmap
from nnlab.viz.perceptron import plot_perceptron, plot_perceptron_line

__all__ = ["save", "plot_decision_boundary", "predict_grid", "seed_grid", "plot_loss_curve", "plot_dataset",
           "plot_gradient_heatmap", "plot_perceptron", "plot_perceptron_line"]
