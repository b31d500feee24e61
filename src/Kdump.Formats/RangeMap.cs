namespace Kdump.Formats;

/// <summary>
/// Resolves possibly overlapping ranges into sorted, disjoint pieces where, on overlap, the range
/// with the highest priority owns the bytes. Used for last-record-wins (flattened) and
/// first-segment-wins (ELF PT_LOAD) lookups. Building is O(n log n) whatever the overlaps, so a
/// hostile file with many overlapping ranges cannot make it quadratic.
/// </summary>
public sealed class RangeMap<T>
{
    private readonly ulong[] _starts;
    private readonly ulong[] _ends;
    private readonly T[] _owners;


    public int PieceCount => _starts.Length;

    /// <summary>End (exclusive) of the highest piece, or 0 when empty.</summary>
    public ulong End => _ends.Length == 0 ? 0 : _ends[^1];

    /// <summary>Input: (start, length, priority, owner); start + length must not overflow. Zero-length ranges are ignored.</summary>
    public RangeMap(IReadOnlyList<(ulong Start, ulong Length, long Priority, T Owner)> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var events = new List<(ulong At, bool IsStart, int Index)>(ranges.Count * 2);
        for (var i = 0; i < ranges.Count; i++)
        {
            var r = ranges[i];
            if (r.Length == 0) continue;
            events.Add((r.Start, true, i));
            events.Add((checked(r.Start + r.Length), false, i));
        }
        events.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.IsStart.CompareTo(b.IsStart));

        var starts = new List<ulong>();
        var ends = new List<ulong>();
        var owners = new List<T>();
        // Max-heap by priority with lazy deletion of ended ranges.
        var active = new PriorityQueue<int, long>(Comparer<long>.Create((a, b) => b.CompareTo(a)));
        var ended = new bool[ranges.Count];
        var e = 0;
        while (e < events.Count)
        {
            var at = events[e].At;
            while (e < events.Count && events[e].At == at)
            {
                var (_, isStart, index) = events[e];
                if (isStart) active.Enqueue(index, ranges[index].Priority);
                else ended[index] = true;
                e++;
            }
            while (active.TryPeek(out var top, out _) && ended[top]) active.Dequeue();
            if (e >= events.Count || !active.TryPeek(out var owner, out _)) continue;
            var next = events[e].At;
            if (owners.Count > 0 && ends[^1] == at && EqualityComparer<T>.Default.Equals(owners[^1], ranges[owner].Owner))
            {
                ends[^1] = next;
                continue;
            }
            starts.Add(at);
            ends.Add(next);
            owners.Add(ranges[owner].Owner);
        }
        _starts = [.. starts];
        _ends = [.. ends];
        _owners = [.. owners];
    }

    /// <summary>The piece containing <paramref name="address"/>: its owner, its start and its end (exclusive).</summary>
    public bool TryFind(ulong address, out T owner, out ulong pieceStart, out ulong pieceEnd)
    {
        var lo = 0;
        var hi = _starts.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (_starts[mid] <= address) lo = mid + 1;
            else hi = mid - 1;
        }
        // hi = last piece with start <= address.
        if (hi >= 0 && address < _ends[hi])
        {
            owner = _owners[hi];
            pieceStart = _starts[hi];
            pieceEnd = _ends[hi];
            return true;
        }
        owner = default!;
        pieceStart = pieceEnd = 0;
        return false;
    }

    /// <summary>The first piece starting above <paramref name="address"/>, to skip holes.</summary>
    public bool TryFindNextStart(ulong address, out ulong start)
    {
        var lo = 0;
        var hi = _starts.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (_starts[mid] <= address) lo = mid + 1;
            else hi = mid;
        }
        if (lo < _starts.Length)
        {
            start = _starts[lo];
            return true;
        }
        start = 0;
        return false;
    }
}
