namespace Kdump.Capture.Tests;

/// <summary>The mount(2) data a capture image without mount.nfs gives the kernel (NfsMount).</summary>
public sealed class NfsMountTests
{
    private static string? Client(string server) => server == "10.0.2.100" ? "10.0.2.15" : null;

    [Fact]
    public void Type_nfs_without_a_version_negotiates_from_4_2_down_to_3_with_the_server_address()
    {
        var tries = NfsMount.Plan("10.0.2.100:/exp", "nfs", null, null, Client, out var error);
        Assert.Null(error);
        Assert.Equal(
        [
            new NfsMountAttempt("nfs", "vers=4.2,addr=10.0.2.100"),
            new NfsMountAttempt("nfs", "vers=4.1,addr=10.0.2.100"),
            new NfsMountAttempt("nfs", "vers=4.0,addr=10.0.2.100,clientaddr=10.0.2.15"),
            new NfsMountAttempt("nfs", "vers=3,addr=10.0.2.100"),
        ], tries);
    }

    [Fact]
    public void Type_nfs4_stays_on_version_4()
    {
        var tries = NfsMount.Plan("10.0.2.100:/exp", "nfs4", "hard", null, Client, out _);
        Assert.Equal(["hard,vers=4.2,addr=10.0.2.100", "hard,vers=4.1,addr=10.0.2.100", "hard,vers=4.0,addr=10.0.2.100,clientaddr=10.0.2.15"],
            tries.Select(t => t.Data));
    }

    [Fact]
    public void A_given_version_is_the_only_try_and_first_kernel_addresses_are_replaced()
    {
        // The first kernel's mountinfo carries addr=/clientaddr= of its own mount: they are re-derived.
        var tries = NfsMount.Plan("10.0.2.100:/exp", "nfs", "rsize=1048576,vers=4.0,addr=192.0.2.1,clientaddr=192.0.2.9,timeo=600", null, Client, out _);
        var only = Assert.Single(tries);
        Assert.Equal("rsize=1048576,timeo=600,vers=4.0,addr=10.0.2.100,clientaddr=10.0.2.15", only.Data);
    }

    [Fact]
    public void Names_resolve_through_etc_hosts_only()
    {
        const string hosts = "127.0.0.1 localhost\n# 10.9.9.9 nfs-server\n10.0.2.100\tnfs-server nfs.example.test # the dump server\n";
        Assert.Equal("vers=4.2,addr=10.0.2.100", NfsMount.Plan("NFS.example.test:/exp", "nfs4", null, hosts, Client, out _)[0].Data);
        Assert.Empty(NfsMount.Plan("other:/exp", "nfs4", null, hosts, Client, out var error));
        Assert.Equal("cannot resolve NFS server other: the capture kernel has only IP addresses and /etc/hosts", error);
    }

    [Fact]
    public void An_ipv6_server_is_bracketed_in_the_source()
    {
        Assert.Equal(("fd00::2", "/srv/crash"), NfsMount.SplitSource("[fd00::2]:/srv/crash"));
        Assert.Equal("vers=4.1,addr=fd00::2", NfsMount.Plan("[fd00::2]:/srv", "nfs", "vers=4.1", null, _ => null, out _)[0].Data);
    }

    [Theory]
    [InlineData("/exp")]
    [InlineData("server:")]
    [InlineData(":/exp")]
    [InlineData("[fd00::2]/exp")]
    public void A_source_without_server_and_path_is_refused(string source)
    {
        Assert.Empty(NfsMount.Plan(source, "nfs", null, null, Client, out var error));
        Assert.Equal($"{source}: not host:/path", error);
    }
}
