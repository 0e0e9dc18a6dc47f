/**
 * ERC-20 `approve` declared without its boolean result: tokens like USDT return nothing, and a declared result would
 * make the simulation fail on the empty return data. Every token's approve fits this declaration.
 */
export const approveAbi = [
  {
    type: "function",
    name: "approve",
    stateMutability: "nonpayable",
    inputs: [
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
    ],
    outputs: [],
  },
] as const;
