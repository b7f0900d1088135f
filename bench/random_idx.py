"""Writes N random 28x28 uint8 images and labels as IDX files into DIR
(train-images-idx3-ubyte, train-labels-idx1-ubyte), seeded, for the U-Net
rows of bench/e2e.sh and bench/same_output.sh: python3 bench/random_idx.py DIR N"""
import os
import random
import struct
import sys

d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d)
r = random.Random(1)
with open(os.path.join(d, "train-images-idx3-ubyte"), "wb") as f:
    f.write(struct.pack(">IIII", 0x803, n, 28, 28) + bytes(r.randrange(256) for _ in range(n * 784)))
with open(os.path.join(d, "train-labels-idx1-ubyte"), "wb") as f:
    f.write(struct.pack(">II", 0x801, n) + bytes(r.randrange(10) for _ in range(n)))
