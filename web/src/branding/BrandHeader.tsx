import { useState } from "react";
import type { SafeBranding } from "./safeBranding";

/**
 * Who is asking: the merchant's logo (fixed size, so nothing moves when it loads; left out if it fails to load) and
 * display name. Nothing when the merchant has no branding.
 */
export function BrandHeader({ branding }: { branding: SafeBranding }) {
  if (!branding.displayName) return null;
  // a new logo URL gets a fresh chance to load
  return <Brand key={branding.logoUrl ?? ""} name={branding.displayName} logoUrl={branding.logoUrl} />;
}

function Brand({ name, logoUrl }: { name: string; logoUrl: string | null }) {
  const [broken, setBroken] = useState(false);
  const logo = logoUrl !== null && !broken;
  return (
    <div className="brand" data-testid="brand">
      {logo ? (
        <img
          src={logoUrl}
          alt={name}
          width={40}
          height={40}
          referrerPolicy="no-referrer"
          decoding="async"
          onError={() => setBroken(true)}
        />
      ) : null}
      {/* the logo's alt text already says the name to a screen reader */}
      <span className="brand-name" aria-hidden={logo ? true : undefined}>
        {name}
      </span>
    </div>
  );
}
