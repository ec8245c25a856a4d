// The system layer's public surface, exported by hand.
export {};
