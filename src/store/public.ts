// The store layer's public surface, exported by hand.
export {};
