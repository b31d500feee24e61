using System.Collections.Concurrent;
using Kdump.Compression;

namespace Kdump.Dump;

/// <summary>
/// Read → compress → write in pfn order. A batch holds the pages of one aligned span of
/// <c>batchPages</c> pfns, so it can be mapped from the input in one piece. With one thread everything
/// happens inline. With N threads the calling thread maps (or copies) batches and writes finished ones
/// strictly in submission order, while N workers zero-check and compress; at most 2N batches are in
/// flight, so memory is bounded by the thread count, not the dump.
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

    /// <param name="batchPages">Pfns per batch span: a power of two.</param>
    public PagePipeline(int threads, int batchPages, int pageSize, IPageCodec? codec, bool excludeZero)
    {
        if (batchPages <= 0 || (batchPages & (batchPages - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(batchPages), "a power of two");
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
    /// <param name="erase">The erase ranges of this output file, applied to each batch as it is loaded (in pfn order).</param>
    public void Run(IEnumerable<(ulong First, int Count)> runs, DumpInput input, Action<PageBatch> write, CancellationToken cancellation,
        EraseList.Pass? erase = null)
    {
        var inFlight = new Queue<PageBatch>();
        PageBatch? batch = Rent();
        var spanMask = ~(ulong)(_batchPages - 1);
        try
        {
            foreach (var (first, count) in runs)
            {
                var done = 0;
                while (done < count)
                {
                    var pfn = first + (ulong)done;
                    var span = pfn & spanMask;
                    if (batch.Count > 0 && (batch.Pfns[0] & spanMask) != span)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        var full = batch;
                        batch = null;
                        Submit(full, input, inFlight, write, erase);
                        batch = Rent();
                    }
                    var n = (int)Math.Min((ulong)(count - done), span + (ulong)_batchPages - pfn);
                    var at = batch.Count;
                    for (var k = 0; k < n; k++) batch.Pfns[at + k] = pfn + (ulong)k;
                    batch.Count += n;
                    done += n;
                }
            }
            var last = batch;
            batch = null;
            if (last.Count > 0) Submit(last, input, inFlight, write, erase);
            else _free.Add(last);
            while (inFlight.Count > 0) Complete(inFlight.Dequeue(), write);
        }
        finally
        {
            // On failure let the workers finish what they hold before mappings go and buffers are reused.
            batch?.Release();
            while (inFlight.Count > 0)
            {
                var b = inFlight.Dequeue();
                b.Done.Wait(CancellationToken.None);
                b.Release();
            }
        }
    }

    private void Submit(PageBatch batch, DumpInput input, Queue<PageBatch> inFlight, Action<PageBatch> write, EraseList.Pass? erase)
    {
        try
        {
            batch.Load(input);
            if (erase is not null) batch.Erase(erase);
            if (_work is null)
            {
                batch.Compress(_codec, _excludeZero);
                write(batch);
                batch.Release();
                _free.Add(batch);
                return;
            }
        }
        catch
        {
            batch.Release();
            throw;
        }
        batch.Error = null;
        batch.Done.Reset();
        inFlight.Enqueue(batch);
        _work.Add(batch);
        if (inFlight.Count >= 2 * _threads) Complete(inFlight.Dequeue(), write);
    }

    private void Complete(PageBatch batch, Action<PageBatch> write)
    {
        try
        {
            batch.Done.Wait();
            if (batch.Error is { } e) throw new AggregateException("page compression failed", e);
            write(batch);
        }
        finally
        {
            batch.Release();
        }
        _free.Add(batch);
    }

    public void Dispose()
    {
        _work?.CompleteAdding();
        foreach (var t in _workers) t.Join();
        _work?.Dispose();
    }
}
