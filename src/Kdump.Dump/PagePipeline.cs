using System.Collections.Concurrent;
using Kdump.Compression;

namespace Kdump.Dump;

/// <summary>
/// Read → compress → write in pfn order. With one thread everything happens inline. With N threads,
/// N workers compress batches while the calling thread reads the next ones and writes finished ones
/// strictly in submission order; at most 2N batches are in flight, so memory is bounded by the
/// thread count, not the dump.
/// </summary>
internal sealed class PagePipeline : IDisposable
{
    private readonly int _threads;
    private readonly IPageCodec? _codec;
    private readonly bool _excludeZero;
    private readonly ConcurrentBag<PageBatch> _free = [];
    private readonly BlockingCollection<PageBatch>? _work;
    private readonly Thread[] _workers;
    private readonly int _batchPages;
    private readonly int _pageSize;

    public PagePipeline(int threads, int batchPages, int pageSize, IPageCodec? codec, bool excludeZero)
    {
        _threads = Math.Max(1, threads);
        _codec = codec;
        _excludeZero = excludeZero;
        _batchPages = batchPages;
        _pageSize = pageSize;
        if (_threads == 1)
        {
            _workers = [];
            return;
        }
        _work = new BlockingCollection<PageBatch>(new ConcurrentQueue<PageBatch>());
        _workers = new Thread[_threads];
        for (var i = 0; i < _threads; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"compress-{i}" };
            _workers[i].Start();
        }
    }

    private PageBatch Rent() => _free.TryTake(out var b) ? b : new PageBatch(_batchPages, _pageSize);

    private void WorkerLoop()
    {
        foreach (var batch in _work!.GetConsumingEnumerable())
        {
            try
            {
                batch.Compress(_codec, _excludeZero);
            }
            catch (Exception e)
            {
                batch.Error = e;
            }
            batch.Done.Set();
        }
    }

    /// <summary>Copies the pages of <paramref name="runs"/>, handing each batch to <paramref name="write"/> in order.</summary>
    public void Run(IEnumerable<(ulong First, int Count)> runs, DumpInput input, Action<PageBatch> write, CancellationToken cancellation)
    {
        var inFlight = new Queue<PageBatch>();
        var batch = Rent();
        batch.Count = 0;
        try
        {
            foreach (var (first, count) in runs)
            {
                var done = 0;
                while (done < count)
                {
                    var n = Math.Min(count - done, batch.Capacity - batch.Count);
                    var at = batch.Count;
                    for (var k = 0; k < n; k++) batch.Pfns[at + k] = first + (ulong)(done + k);
                    input.ReadPages(first + (ulong)done, n, batch.Input.AsSpan(at * _pageSize, n * _pageSize));
                    batch.Count += n;
                    done += n;
                    if (batch.Count == batch.Capacity)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        Submit(batch, inFlight, write);
                        batch = Rent();
                        batch.Count = 0;
                    }
                }
            }
            if (batch.Count > 0) Submit(batch, inFlight, write);
            else _free.Add(batch);
            while (inFlight.Count > 0) Complete(inFlight.Dequeue(), write);
        }
        finally
        {
            // On failure let the workers finish what they hold before buffers are reused.
            while (inFlight.Count > 0) inFlight.Dequeue().Done.Wait(CancellationToken.None);
        }
    }

    private void Submit(PageBatch batch, Queue<PageBatch> inFlight, Action<PageBatch> write)
    {
        if (_work is null)
        {
            batch.Compress(_codec, _excludeZero);
            write(batch);
            _free.Add(batch);
            return;
        }
        batch.Error = null;
        batch.Done.Reset();
        inFlight.Enqueue(batch);
        _work.Add(batch);
        if (inFlight.Count >= 2 * _threads) Complete(inFlight.Dequeue(), write);
    }

    private void Complete(PageBatch batch, Action<PageBatch> write)
    {
        batch.Done.Wait();
        if (batch.Error is { } e) throw new AggregateException("page compression failed", e);
        write(batch);
        _free.Add(batch);
    }

    public void Dispose()
    {
        _work?.CompleteAdding();
        foreach (var t in _workers) t.Join();
        _work?.Dispose();
    }
}
