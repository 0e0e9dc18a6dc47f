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

/**
 * DAI's `Permit` struct as EIP-712 typed data (tokens whose `permitKind` is `dai`): it names the holder's nonce and
 * grants an unlimited allowance (`allowed`) or none, with no amount.
 */
export const daiPermitTypes = {
  Permit: [
    { name: "holder", type: "address" },
    { name: "spender", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "expiry", type: "uint256" },
    { name: "allowed", type: "bool" },
  ],
} as const;
