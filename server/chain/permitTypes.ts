/**
 * EIP-2612's `Permit` struct as EIP-712 typed data: what a wallet signs to approve a spender without a transaction.
 * Pure (no server-only import), so the dApp's checkout and the tests' permit helper sign the same struct.
 */
export const permitTypes = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;
