// The history layer's public surface, exported by hand.
export {};
