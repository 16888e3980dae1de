#!/usr/bin/python3
"""The RAFT loop of experiments/bench.ini written plainly in PyTorch: the peer
that `scripts/bench/benchmarks.sh` measures raftsim against.

Same work per iteration as raftsim on that config: draw b prompts of the
sequence/reverse task, sample K responses each from the current policy at
temperature 1 (all b*K rows in one batch, the prompt prefilled once and its
key/value cache shared by its K rows -- or with --per-row-prefill each row
prefilled, the usual way -- preallocated caches written in place, no
Python loop over samples), score pi_0's log-probabilities of every sample
(one teacher-forced forward pass), score the gold reward, keep the best of K
per prompt, and fine-tune on the kept set with Adam (1 epoch, minibatches of
64, response tokens only). Same model: pre-LayerNorm decoder, learned
positions, fused QKV, GELU feed-forward, weights ~ N(0, 0.02).

Written the way a careful researcher would for speed on a CPU: inference
mode for sampling, all cores as intra-op threads (and OpenMP capped to the
same), no host syncs inside the sampling loop.

Prints one line: samples/s over the timed iterations (after one untimed).
  /usr/bin/python3 benchmarks/raft_peer.py [--threads N] [--iterations N]
"""
import argparse
import math
import os
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-row-prefill", action="store_true",
                    help="prefill each of the b*K rows (the prompt repeated K times) "
                         "instead of once per prompt: the usual way to write it")
    args = ap.parse_args()
    # OpenBLAS (the OpenMP build) and ATen's pool: the same number of threads.
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import torch  # after OMP_NUM_THREADS, which OpenMP reads once

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    vocab, P, R = 16, 8, 8
    d, layers, heads, ff = 64, 2, 4, 256
    b, K, batch_size, lr = 256, 8, 64, 1e-3
    dh = d // heads

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
            self.qkv, self.proj = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)
            self.fc1, self.fc2 = torch.nn.Linear(d, ff), torch.nn.Linear(ff, d)

        def forward(self, h, cache=None, offset=0):
            B, T, _ = h.shape
            q, k, v = self.qkv(self.ln1(h)).view(B, T, 3, heads, dh).permute(2, 0, 3, 1, 4)
            if cache is not None:
                kc, vc = cache
                kc[:, :, offset:offset + T] = k
                vc[:, :, offset:offset + T] = v
                k, v = kc[:, :, :offset + T], vc[:, :, :offset + T]
            att = (q @ k.transpose(-2, -1)) / math.sqrt(dh)
            if T > 1:
                mask = torch.ones(T, offset + T, dtype=torch.bool).triu(offset + 1)
                att = att.masked_fill(mask, float("-inf"))
            y = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, d)
            h = h + self.proj(y)
            return h + self.fc2(torch.nn.functional.gelu(self.fc1(self.ln2(h))))

    class Policy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = torch.nn.Embedding(vocab, d)
            self.pos = torch.nn.Embedding(P + R, d)
            self.blocks = torch.nn.ModuleList(Block() for _ in range(layers))
            self.ln_f, self.head = torch.nn.LayerNorm(d), torch.nn.Linear(d, vocab)
            for name, p in self.named_parameters():
                if name.endswith("bias"):
                    torch.nn.init.zeros_(p)
                elif "ln" in name:
                    torch.nn.init.ones_(p)
                else:
                    torch.nn.init.normal_(p, 0.0, 0.02)

        def forward(self, tokens, caches=None, offset=0):
            T = tokens.shape[1]
            h = self.tok(tokens) + self.pos.weight[offset:offset + T]
            for i, block in enumerate(self.blocks):
                h = block(h, None if caches is None else caches[i], offset)
            return self.head(self.ln_f(h))

        @torch.inference_mode()
        def sample(self, prompts):
            if args.per_row_prefill:
                prompts = prompts.repeat_interleave(K, 0)
            n = prompts.shape[0]
            caches = [(torch.empty(n, heads, P + R, dh), torch.empty(n, heads, P + R, dh))
                      for _ in self.blocks]
            logits = self(prompts, caches, 0)[:, -1]
            if not args.per_row_prefill:
                caches = [(kc.repeat_interleave(K, 0), vc.repeat_interleave(K, 0))
                          for kc, vc in caches]
                logits = logits.repeat_interleave(K, 0)
            rows = logits.shape[0]  # b * K either way
            out = torch.empty(rows, R, dtype=torch.long)
            logp = torch.zeros(rows)
            for t in range(R):
                lp = logits.log_softmax(-1)
                tok = torch.multinomial(lp.exp(), 1)
                logp += lp.gather(1, tok).squeeze(1)
                out[:, t] = tok.squeeze(1)
                if t + 1 < R:
                    logits = self(tok, caches, P + t)[:, 0]
            return out, logp

        def response_logp(self, prompts, responses):
            full = torch.cat([prompts, responses], 1)
            logits = self(full[:, :-1])[:, P - 1:]
            return logits.log_softmax(-1).gather(2, responses.unsqueeze(2)).squeeze(2)

    policy = Policy()
    initial = Policy()
    initial.load_state_dict(policy.state_dict())
    opt = torch.optim.Adam(policy.parameters(), lr=lr)
    target_index = torch.arange(P - 1, P - 1 - R, -1) % P

    def iteration():
        prompts = torch.randint(vocab, (b, P))
        responses, logp = policy.sample(prompts)
        rows = prompts.repeat_interleave(K, 0)
        with torch.inference_mode():
            logp0 = initial.response_logp(rows, responses).sum(1)
        kl = (logp - logp0).mean().item()  # the KL estimate raftsim logs
        gold = (responses == rows[:, target_index]).float().mean(1)
        best = gold.view(b, K).argmax(1) + torch.arange(b) * K
        keep_p, keep_r = rows[best], responses[best]
        for idx in torch.randperm(b).split(batch_size):
            nll = -policy.response_logp(keep_p[idx], keep_r[idx])
            loss = nll.sum() / nll.numel()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return gold.mean().item(), kl

    iteration()  # untimed: first-call allocations
    start = time.perf_counter()
    for _ in range(args.iterations):
        gold, kl = iteration()
    seconds = time.perf_counter() - start
    prefill = "per row" if args.per_row_prefill else "per prompt"
    print(f"peer samples/s {b * K * args.iterations / seconds:.0f} "
          f"(threads {args.threads}, prefill {prefill}, {args.iterations} iterations "
          f"in {seconds:.2f} s, last mean gold {gold:.3f})")


if __name__ == "__main__":
    main()
