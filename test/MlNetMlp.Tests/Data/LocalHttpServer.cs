using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MlNetMlp.Tests.Data;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 and a free port, serving fixed bodies by path. Binding port 0 in the
/// listener itself avoids the race of probing for a free port first.
/// </summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, Response> _responses = new(StringComparer.Ordinal);
    private readonly List<string> _requested = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="Status">HTTP status code.</param>
    /// <param name="Body">The bytes sent.</param>
    /// <param name="AnnouncedLength">Content-Length to announce; more than Body.Length simulates a dropped connection.</param>
    public sealed record Response(int Status, byte[] Body, long? AnnouncedLength = null);

    public LocalHttpServer()
    {
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(AcceptLoop);
    }

    public Uri BaseUri { get; }

    public IReadOnlyList<string> Requested
    {
        get { lock (_requested) return [.. _requested]; }
    }

    public void Serve(string path, Response response)
    {
        lock (_responses) _responses[path] = response;
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                string path = await ReadRequestPath(stream);
                lock (_requested) _requested.Add(path);
                Response? response;
                lock (_responses) _responses.TryGetValue(path, out response);
                response ??= new Response(404, "not found"u8.ToArray());
                string head = $"HTTP/1.1 {response.Status} {(response.Status == 200 ? "OK" : "Error")}\r\n" +
                              $"Content-Length: {response.AnnouncedLength ?? response.Body.Length}\r\n" +
                              "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                await stream.WriteAsync(response.Body);
                await stream.FlushAsync();
            }
            catch (IOException)
            {
                // The client gave up; nothing to do.
            }
        }
    }

    private static async Task<string> ReadRequestPath(NetworkStream stream)
    {
        var request = new StringBuilder();
        var buffer = new byte[1024];
        while (!request.ToString().Contains("\r\n\r\n"))
        {
            int read = await stream.ReadAsync(buffer);
            if (read == 0) break;
            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        // "GET /path HTTP/1.1"
        var parts = request.ToString().Split(' ', 3);
        return parts.Length >= 2 ? parts[1] : "";
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
