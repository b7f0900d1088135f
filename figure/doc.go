// Package figure writes the pictures people look at, as PNG files: 2-D
// scatter plots and density maps of samples, side-by-side panels, phase-space
// trajectories, line plots (loss curves, metric-versus-NFE curves) and image
// grids. Plots use gonum.org/v1/plot; every file is written atomically.
package figure
