// The upkeep layer's public surface, exported by hand.
export {};
