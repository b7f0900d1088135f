package nn

import "errors"

// UNetConfig placeholder.
type UNetConfig struct{}

// NewUNet placeholder.
func NewUNet(cfg UNetConfig) (Model, error) { return nil, errors.New("nn: U-Net not implemented yet") }
