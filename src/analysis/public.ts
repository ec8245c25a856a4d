// The analysis layer's public surface, exported by hand.
export {};
