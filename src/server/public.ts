// The server layer's public surface, exported by hand.
export {};
