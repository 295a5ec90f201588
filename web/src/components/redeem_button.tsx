// The counter card's "use points" button. While the balance is under the program's minimum (or
// empty) it stays disabled and says why beside it, so staff do not open a form that can only fail.
import type { LoyaltyAccount, Program } from "../api";
import { t, type MessageKey } from "../i18n";
import { units } from "./loyalty";

interface Props {
  account: LoyaltyAccount;
  program: Program | null;
  pressed: boolean;
  onPress: () => void;
}

export function RedeemButton({ account, program, pressed, onPress }: Props) {
  const min = program?.min_balance_to_redeem ?? 0;
  const reason =
    account.balance <= 0
      ? t("redeem.disabled.empty")
      : account.balance < min
        ? t("redeem.disabled.min", { min: units(min, account.unit), balance: units(account.balance, account.unit) })
        : null;
  return (
    <span class="redeem-action">
      <button
        class="button big"
        type="button"
        onClick={onPress}
        aria-pressed={pressed}
        disabled={reason !== null}
        aria-describedby={reason ? "redeem-reason" : undefined}
        data-testid="redeem-button"
      >
        {t("action.redeem", { unit: t(`unit.name.${account.unit}` as MessageKey) })}
      </button>
      {reason ? (
        <span class="field-hint redeem-reason" id="redeem-reason" data-testid="redeem-reason">
          {reason}
        </span>
      ) : null}
    </span>
  );
}
