/** A transaction's page on the chain's block explorer (`explorerUrl` with or without a trailing slash). */
export const transactionUrl = (explorerUrl: string, hash: string) => `${explorerUrl.replace(/\/+$/, "")}/tx/${hash}`;
