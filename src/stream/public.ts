// The stream layer's public surface, exported by hand.
export {};
