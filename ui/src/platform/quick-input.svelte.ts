import type { PickItem } from './registry.ts';

interface PickRequest {
  readonly placeholder: string;
  readonly items: readonly PickItem[];
  readonly resolve: (id: string | undefined) => void;
}

interface ConfirmRequest {
  readonly message: string;
  readonly resolve: (ok: boolean) => void;
}

export interface Notice {
  readonly id: number;
  readonly message: string;
  readonly kind: 'info' | 'error';
}

/** The quick pick (command palette and pickers), the confirm dialog and toast notices. */
export class QuickInput {
  pickRequest = $state.raw<PickRequest | null>(null);
  confirmRequest = $state.raw<ConfirmRequest | null>(null);
  notices = $state.raw<Notice[]>([]);
  private noticeId = 0;

  pick(placeholder: string, items: readonly PickItem[]): Promise<string | undefined> {
    this.pickRequest?.resolve(undefined);
    return new Promise((resolve) => {
      this.pickRequest = {
        placeholder,
        items,
        resolve: (id) => {
          this.pickRequest = null;
          resolve(id);
        },
      };
    });
  }

  confirm(message: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.confirmRequest = {
        message,
        resolve: (ok) => {
          this.confirmRequest = null;
          resolve(ok);
        },
      };
    });
  }

  notify(message: string, kind: 'info' | 'error' = 'info'): void {
    const notice = { id: ++this.noticeId, message, kind };
    this.notices = [...this.notices.slice(-3), notice];
    // A refusal's reason can be a sentence or two: an error stays long enough to be read, and can be dismissed.
    setTimeout(() => this.dismiss(notice.id), kind === 'error' ? 15_000 : 5000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }
}
