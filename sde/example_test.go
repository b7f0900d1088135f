package sde_test

import (
	"fmt"

	"phasespace/sde"
)

// CLD with M⁻¹ = 4 is critically damped at Γ = 2/√M⁻¹ = 1; its stationary
// covariance is diag(1, M).
func Example() {
	p, err := sde.NewCLD(sde.CLDConfig{Schedule: sde.Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04})
	if err != nil {
		panic(err)
	}
	k, err := p.Kernel(1, sde.HSM)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Kind, p.Friction, p.Stationary.XX, p.Stationary.VV, k.Order)
	// Output: cld 1 1 0.25 2
}
