module phasespace

go 1.26
